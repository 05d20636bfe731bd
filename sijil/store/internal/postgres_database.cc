// The PostgreSQL backend over libpq: one PGconn per pooled connection, statements prepared
// once per connection, parameters sent as text (blobs as binary) so the server infers their
// types from context as it does for literals, and results received in binary form.
#include <endian.h>
#include <libpq-fe.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>

#include "sijil/store/database.h"
#include "sijil/store/internal/connection.h"
#include "sijil/store/internal/sql_translate.h"

namespace sijil::store {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Type OIDs from PostgreSQL's pg_type catalogue (stable across versions).
enum : Oid {
  kBoolOid = 16,
  kByteaOid = 17,
  kCharOid = 18,
  kNameOid = 19,
  kInt8Oid = 20,
  kInt2Oid = 21,
  kInt4Oid = 23,
  kTextOid = 25,
  kOidOid = 26,
  kJsonOid = 114,
  kFloat4Oid = 700,
  kFloat8Oid = 701,
  kUnknownOid = 705,
  kBpcharOid = 1042,
  kVarcharOid = 1043,
  kNumericOid = 1700,
  kJsonbOid = 3802,
};

Status PgError(const PGresult* res, PGconn* conn) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary != nullptr ? primary : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  const std::string code = state != nullptr ? state : "";
  if (PQstatus(conn) != CONNECTION_OK || code.starts_with("08")) {
    return Status::Unavailable("SIJ-STO-007", "database connection lost: " + message);
  }
  if (code == "23505") return Status::AlreadyExists("SIJ-STO-002", message);
  if (code.starts_with("23")) return Status::FailedPrecondition("SIJ-STO-003", message);
  if (code == "40001" || code == "40P01") {
    return Status::Aborted("SIJ-STO-005", "transaction conflict: " + message);
  }
  if (code == "55P03") return Status::Aborted("SIJ-STO-004", "database is busy: " + message);
  if (code.starts_with("53")) {
    return Status::ResourceExhausted("SIJ-STO-009", "database resources exhausted: " + message);
  }
  if (code == "XX001" || code == "XX002") {
    return Status::DataLoss("SIJ-STO-006", "database file is corrupt: " + message);
  }
  if (code.starts_with("42") || code.starts_with("22") || code.starts_with("0A") ||
      code.starts_with("25") || code.starts_with("26") || code.starts_with("2B")) {
    return Status::InvalidArgument("SIJ-STO-001", "SQL error: " + message);
  }
  return Status::Internal("SIJ-STO-008", "database error: " + message);
}

uint16_t ReadU16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return be16toh(v);
}
uint32_t ReadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return be32toh(v);
}
uint64_t ReadU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return be64toh(v);
}

// NUMERIC in binary: ndigits, weight, sign, dscale (int16 each), then base-10000 digits.
// SUM() over BIGINT yields NUMERIC, so integral values come back as integers.
Result<Value> DecodeNumeric(const char* p, int len) {
  const Status bad = Status::Internal("SIJ-STO-011", "malformed NUMERIC value from the server");
  if (len < 8) return bad;
  const int ndigits = static_cast<int16_t>(ReadU16(p));
  const int weight = static_cast<int16_t>(ReadU16(p + 2));
  const uint16_t sign = ReadU16(p + 4);
  const int dscale = static_cast<int16_t>(ReadU16(p + 6));
  if (ndigits < 0 || len < 8 + 2 * ndigits) return bad;
  if (sign == 0xC000) return Value(std::nan(""));
  const bool negative = sign == 0x4000;
  bool integral = dscale == 0;
  __int128 acc = 0;
  double d = 0;
  for (int i = 0; i < ndigits; ++i) {
    const int digit = ReadU16(p + 8 + 2 * i);
    d += digit * std::pow(10000.0, weight - i);
    if (weight - i >= 0) {
      if (acc > (static_cast<__int128>(1) << 80)) integral = false;
      acc = acc * 10000 + digit;
    } else if (digit != 0) {
      integral = false;
    }
  }
  if (integral) {
    for (int i = ndigits; i <= weight; ++i) acc *= 10000;  // trailing zero groups
    if (negative) acc = -acc;
    if (acc >= INT64_MIN && acc <= INT64_MAX) return Value(static_cast<int64_t>(acc));
  }
  return Value(negative ? -d : d);
}

// Decodes one binary-format field into *out.
Status DecodeBinary(Oid type, const char* p, int len, int col, Value* out) {
  switch (type) {
    case kBoolOid:
      *out = Value(static_cast<int64_t>(len > 0 && p[0] != 0));
      return Status::Ok();
    case kInt2Oid:
      *out = Value(static_cast<int64_t>(static_cast<int16_t>(ReadU16(p))));
      return Status::Ok();
    case kInt4Oid:
      *out = Value(static_cast<int64_t>(static_cast<int32_t>(ReadU32(p))));
      return Status::Ok();
    case kOidOid:
      *out = Value(static_cast<int64_t>(ReadU32(p)));
      return Status::Ok();
    case kInt8Oid:
      *out = Value(static_cast<int64_t>(ReadU64(p)));
      return Status::Ok();
    case kFloat4Oid: {
      uint32_t bits = ReadU32(p);
      float f;
      std::memcpy(&f, &bits, 4);
      *out = Value(static_cast<double>(f));
      return Status::Ok();
    }
    case kFloat8Oid: {
      uint64_t bits = ReadU64(p);
      double f;
      std::memcpy(&f, &bits, 8);
      *out = Value(f);
      return Status::Ok();
    }
    case kNumericOid: {
      SIJIL_ASSIGN_OR_RETURN(*out, DecodeNumeric(p, len));
      return Status::Ok();
    }
    case kByteaOid:
      *out = Value(
          Bytes(reinterpret_cast<const uint8_t*>(p), reinterpret_cast<const uint8_t*>(p) + len));
      return Status::Ok();
    case kTextOid:
    case kVarcharOid:
    case kBpcharOid:
    case kNameOid:
    case kCharOid:
    case kUnknownOid:
    case kJsonOid:
      *out = Value(std::string(p, len));
      return Status::Ok();
    case kJsonbOid:  // a version byte, then the text
      *out = Value(len > 0 ? std::string(p + 1, len - 1) : std::string());
      return Status::Ok();
    default:
      return Status::InvalidArgument(
          "SIJ-STO-001", "column " + std::to_string(col) + " has PostgreSQL type OID " +
                             std::to_string(type) +
                             ", outside the portable subset; CAST it to TEXT or BIGINT");
  }
}

class PostgresConnection final : public internal::Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  static Result<std::unique_ptr<internal::Connection>> Open(const std::string& conninfo) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (conn == nullptr) {
      return Status::Unavailable("SIJ-STO-007", "cannot connect to PostgreSQL: out of memory");
    }
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn);
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
      }
      PQfinish(conn);
      return Status::Unavailable("SIJ-STO-007", "cannot connect to PostgreSQL: " + message);
    }
    // Notices (e.g. "relation already exists, skipping") are not errors; keep stderr clean.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    return std::unique_ptr<internal::Connection>(std::make_unique<PostgresConnection>(conn));
  }

  Result<Rows> Query(std::string_view sql, std::span<const Value> params) override {
    SIJIL_ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    const int nrows = PQntuples(res.get());
    const int ncols = PQnfields(res.get());
    std::vector<std::string> columns;
    columns.reserve(ncols);
    for (int c = 0; c < ncols; ++c) columns.emplace_back(PQfname(res.get(), c));
    std::vector<Row> rows;
    rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value> values;
      values.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          values.emplace_back();
          continue;
        }
        values.emplace_back();
        SIJIL_RETURN_IF_ERROR(DecodeBinary(PQftype(res.get(), c), PQgetvalue(res.get(), r, c),
                                           PQgetlength(res.get(), r, c), c, &values.back()));
      }
      rows.emplace_back(std::move(values));
    }
    return Rows(std::move(columns), std::move(rows));
  }

  Result<int64_t> Execute(std::string_view sql, std::span<const Value> params) override {
    SIJIL_ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    const char* tuples = PQcmdTuples(res.get());
    return tuples[0] == '\0' ? int64_t{0} : static_cast<int64_t>(std::strtoll(tuples, nullptr, 10));
  }

  Status ExecuteScript(std::string_view sql) override {
    const std::string text = internal::TranslateForPostgres(sql, /*placeholders=*/false).sql;
    PgResult res(PQexec(conn_, text.c_str()));
    const auto st = PQresultStatus(res.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return PgError(res.get(), conn_);
    return Status::Ok();
  }

  Status Begin(bool read_only) override {
    return ExecuteScript(read_only ? "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"
                                   : "BEGIN ISOLATION LEVEL SERIALIZABLE");
  }
  Status Commit() override {
    PgResult res(PQexec(conn_, "COMMIT"));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return PgError(res.get(), conn_);
    // COMMIT of a transaction that had failed reports ROLLBACK instead of an error.
    if (std::strcmp(PQcmdStatus(res.get()), "ROLLBACK") == 0) {
      return Status::Aborted("SIJ-STO-005", "transaction was rolled back by the server");
    }
    return Status::Ok();
  }
  void Rollback() override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PgResult res(PQexec(conn_, "ROLLBACK"));
  }
  bool Healthy() override {
    return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

 private:
  struct Prepared {
    std::string name;
    int params;
  };

  Result<const Prepared*> Prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return &it->second;
    internal::Translated t = internal::TranslateForPostgres(sql, /*placeholders=*/true);
    std::string name = "s" + std::to_string(next_id_++);
    PgResult res(PQprepare(conn_, name.c_str(), t.sql.c_str(), 0, nullptr));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return PgError(res.get(), conn_);
    auto [pos, inserted] =
        cache_.emplace(std::string(sql), Prepared{std::move(name), t.placeholders});
    return &pos->second;
  }

  Result<PgResult> Run(std::string_view sql, std::span<const Value> params) {
    SIJIL_ASSIGN_OR_RETURN(const Prepared* stmt, Prepare(sql));
    if (stmt->params != static_cast<int>(params.size())) {
      return Status::InvalidArgument("SIJ-STO-001",
                                     "SQL error: statement takes " + std::to_string(stmt->params) +
                                         " parameters, got " + std::to_string(params.size()));
    }
    const size_t n = params.size();
    std::vector<std::string> text(n);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 0);
    for (size_t i = 0; i < n; ++i) {
      const Value& v = params[i];
      switch (v.type()) {
        case ValueType::kNull:
          break;
        case ValueType::kInt64:
          text[i] = std::to_string(v.int64());
          values[i] = text[i].c_str();
          break;
        case ValueType::kDouble: {
          const double d = v.dbl();
          if (std::isnan(d)) {
            text[i] = "NaN";
          } else if (std::isinf(d)) {
            text[i] = d > 0 ? "Infinity" : "-Infinity";
          } else {
            char buf[40];
            std::snprintf(buf, sizeof buf, "%.17g", d);
            text[i] = buf;
          }
          values[i] = text[i].c_str();
          break;
        }
        case ValueType::kText:
          if (std::memchr(v.text().data(), 0, v.text().size()) != nullptr) {
            return Status::InvalidArgument("SIJ-STO-001",
                                           "text parameter contains a NUL byte; bind it as a blob");
          }
          values[i] = v.text().c_str();
          break;
        case ValueType::kBlob:
          // Binary format: the raw bytes are bytea's wire form.
          values[i] = v.blob().empty() ? "" : reinterpret_cast<const char*>(v.blob().data());
          lengths[i] = static_cast<int>(v.blob().size());
          formats[i] = 1;
          break;
      }
    }
    PgResult res(PQexecPrepared(conn_, stmt->name.c_str(), static_cast<int>(n), values.data(),
                                lengths.data(), formats.data(), /*resultFormat=*/1));
    const auto st = PQresultStatus(res.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      Status s = PgError(res.get(), conn_);
      // A connection that lost its server loses its prepared statements too.
      if (PQstatus(conn_) != CONNECTION_OK) cache_.clear();
      return s;
    }
    return res;
  }

  PGconn* conn_;
  uint64_t next_id_ = 0;
  std::unordered_map<std::string, Prepared, StringHash, std::equal_to<>> cache_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const PostgresOptions& options, Env& env) {
  if (options.conninfo.empty()) {
    return Status::InvalidArgument("SIJ-STO-010", "PostgreSQL connection string is empty");
  }
  const std::string conninfo = options.conninfo;
  auto db = std::make_unique<internal::PooledDatabase>(
      Dialect::kPostgres, [conninfo] { return PostgresConnection::Open(conninfo); },
      options.max_connections, options.acquire_timeout, env);
  SIJIL_RETURN_IF_ERROR(db->Warm());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace sijil::store
