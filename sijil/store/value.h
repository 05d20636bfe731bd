// Value, Row and Rows: the typed values bound to SQL parameters and read back from queries.
//
// A Value is one of NULL, a 64-bit integer, a double, UTF-8 text or a blob, the five types
// that SQLite and the portable subset of PostgreSQL share. Rows is a fully materialised
// result: it owns its data, so it stays valid after the connection it came from goes back to
// the pool. All three are value types, thread-compatible.
#ifndef SIJIL_STORE_VALUE_H_
#define SIJIL_STORE_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"

namespace sijil::store {

enum class ValueType { kNull, kInt64, kDouble, kText, kBlob };

std::string_view ValueTypeName(ValueType type);

class Value {
 public:
  // NULL.
  Value() = default;
  Value(std::nullptr_t) {}  // NOLINT: implicit so parameter lists read naturally
  Value(std::nullopt_t) {}  // NOLINT
  // Any integer type except bool and char (booleans are stored as 0/1 by the caller).
  template <typename I,
            typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool> &&
                                        !std::is_same_v<I, char>>>
  Value(I v) : v_(static_cast<int64_t>(v)) {}                                    // NOLINT
  Value(double v) : v_(v) {}                                                     // NOLINT
  Value(const char* text) : v_(std::string(text)) {}                             // NOLINT
  Value(std::string text) : v_(std::move(text)) {}                               // NOLINT
  Value(std::string_view text) : v_(std::string(text)) {}                        // NOLINT
  Value(Bytes blob) : v_(std::move(blob)) {}                                     // NOLINT
  Value(std::span<const uint8_t> blob) : v_(Bytes(blob.begin(), blob.end())) {}  // NOLINT
  // NULL when empty.
  template <typename T>
  Value(const std::optional<T>& v) {  // NOLINT
    if (v.has_value()) *this = Value(*v);
  }

  // Explicit constructors for values whose C++ type is ambiguous (e.g. text in a vector).
  static Value Text(std::string_view text) { return Value(std::string(text)); }
  static Value Blob(std::span<const uint8_t> blob) { return Value(blob); }
  static Value Blob(std::string_view bytes) { return Value(Bytes(bytes.begin(), bytes.end())); }

  ValueType type() const { return static_cast<ValueType>(v_.index()); }
  bool is_null() const { return type() == ValueType::kNull; }

  // Unchecked accessors: call only after checking type() (aborts otherwise).
  int64_t int64() const { return std::get<int64_t>(v_); }
  double dbl() const { return std::get<double>(v_); }
  const std::string& text() const { return std::get<std::string>(v_); }
  const Bytes& blob() const { return std::get<Bytes>(v_); }

  // A short rendering for test output and logs; never used to build SQL.
  std::string DebugString() const;

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::monostate, int64_t, double, std::string, Bytes> v_;
};

// One result row. Columns are numbered from 0 in SELECT order.
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  const Value& operator[](size_t col) const { return values_[col]; }
  const std::vector<Value>& values() const { return values_; }

  bool IsNull(size_t col) const { return col >= values_.size() || values_[col].is_null(); }

  // Typed reads. Each fails with SIJ-STO-011 (kInternal) if the column is out of range, NULL,
  // or of another type: the schema is the program's own, so a mismatch is a defect or
  // damaged data, never something to guess around. GetDouble also accepts an integer, and
  // GetBlob also accepts text (SQLite may hand back either for a column declared BLOB).
  Result<int64_t> GetInt64(size_t col) const;
  Result<double> GetDouble(size_t col) const;
  Result<std::string> GetText(size_t col) const;
  Result<Bytes> GetBlob(size_t col) const;
  // As above, but NULL reads as std::nullopt.
  Result<std::optional<int64_t>> GetOptionalInt64(size_t col) const;
  Result<std::optional<std::string>> GetOptionalText(size_t col) const;
  Result<std::optional<Bytes>> GetOptionalBlob(size_t col) const;

 private:
  std::vector<Value> values_;
};

class Rows {
 public:
  Rows() = default;
  Rows(std::vector<std::string> columns, std::vector<Row> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}

  const std::vector<std::string>& columns() const { return columns_; }
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const Row& operator[](size_t i) const { return rows_[i]; }
  std::vector<Row>::const_iterator begin() const { return rows_.begin(); }
  std::vector<Row>::const_iterator end() const { return rows_.end(); }

 private:
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
};

}  // namespace sijil::store

#endif  // SIJIL_STORE_VALUE_H_
