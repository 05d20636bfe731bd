#include "sijil/store/value.h"

#include <cstdio>

namespace sijil::store {
namespace {

Status TypeError(size_t col, std::string_view want, const Value& got) {
  return Status::Internal("SIJ-STO-011", "column " + std::to_string(col) + " is " +
                                             std::string(ValueTypeName(got.type())) + ", not " +
                                             std::string(want));
}

Status RangeError(size_t col, size_t size) {
  return Status::Internal("SIJ-STO-011", "column " + std::to_string(col) +
                                             " is out of range (row has " + std::to_string(size) +
                                             " columns)");
}

}  // namespace

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInt64:
      return "an integer";
    case ValueType::kDouble:
      return "a double";
    case ValueType::kText:
      return "text";
    case ValueType::kBlob:
      return "a blob";
  }
  return "unknown";
}

std::string Value::DebugString() const {
  switch (type()) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInt64:
      return std::to_string(int64());
    case ValueType::kDouble: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", dbl());
      return buf;
    }
    case ValueType::kText:
      return "'" + text() + "'";
    case ValueType::kBlob:
      return "x'" + HexEncode(blob()) + "'";
  }
  return "?";
}

Result<int64_t> Row::GetInt64(size_t col) const {
  if (col >= values_.size()) return RangeError(col, values_.size());
  const Value& v = values_[col];
  if (v.type() != ValueType::kInt64) return TypeError(col, "an integer", v);
  return v.int64();
}

Result<double> Row::GetDouble(size_t col) const {
  if (col >= values_.size()) return RangeError(col, values_.size());
  const Value& v = values_[col];
  if (v.type() == ValueType::kDouble) return v.dbl();
  if (v.type() == ValueType::kInt64) return static_cast<double>(v.int64());
  return TypeError(col, "a double", v);
}

Result<std::string> Row::GetText(size_t col) const {
  if (col >= values_.size()) return RangeError(col, values_.size());
  const Value& v = values_[col];
  if (v.type() != ValueType::kText) return TypeError(col, "text", v);
  return v.text();
}

Result<Bytes> Row::GetBlob(size_t col) const {
  if (col >= values_.size()) return RangeError(col, values_.size());
  const Value& v = values_[col];
  if (v.type() == ValueType::kBlob) return v.blob();
  if (v.type() == ValueType::kText) return Bytes(v.text().begin(), v.text().end());
  return TypeError(col, "a blob", v);
}

Result<std::optional<int64_t>> Row::GetOptionalInt64(size_t col) const {
  if (col < values_.size() && values_[col].is_null()) return std::optional<int64_t>();
  SIJIL_ASSIGN_OR_RETURN(int64_t v, GetInt64(col));
  return std::optional<int64_t>(v);
}

Result<std::optional<std::string>> Row::GetOptionalText(size_t col) const {
  if (col < values_.size() && values_[col].is_null()) return std::optional<std::string>();
  SIJIL_ASSIGN_OR_RETURN(std::string v, GetText(col));
  return std::optional<std::string>(std::move(v));
}

Result<std::optional<Bytes>> Row::GetOptionalBlob(size_t col) const {
  if (col < values_.size() && values_[col].is_null()) return std::optional<Bytes>();
  SIJIL_ASSIGN_OR_RETURN(Bytes v, GetBlob(col));
  return std::optional<Bytes>(std::move(v));
}

}  // namespace sijil::store
