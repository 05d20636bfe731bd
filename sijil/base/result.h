// Result<T>: either a value of type T or a failed Status.
//
// Thread-compatible like T. Accessing value() of a failed Result aborts: check ok() first
// (this is a programming error, not an expected failure).
#ifndef SIJIL_BASE_RESULT_H_
#define SIJIL_BASE_RESULT_H_

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>

#include "sijil/base/status.h"

namespace sijil {

template <typename T>
class [[nodiscard]] Result {
 public:
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> is meaningless");

  // A value.
  Result(const T& value) : value_(value) {}        // NOLINT: implicit by design
  Result(T&& value) : value_(std::move(value)) {}  // NOLINT
  template <typename U, typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                    !std::is_same_v<std::decay_t<U>, Status> &&
                                                    !std::is_same_v<std::decay_t<U>, Result<T>>>>
  Result(U&& value) : value_(T(std::forward<U>(value))) {}  // NOLINT
  // A failure. Passing an OK status is a bug; it is turned into an internal error.
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) {
      status_ = Status::Internal("SIJ-BAS-001", "Result constructed from an OK status");
    }
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const& {
    static const Status kOk;
    return ok() ? kOk : status_;
  }
  Status status() && { return ok() ? Status() : std::move(status_); }

  T& value() & {
    Check();
    return *value_;
  }
  const T& value() const& {
    Check();
    return *value_;
  }
  T&& value() && {
    Check();
    return std::move(*value_);
  }
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Check() const {
    if (!value_.has_value()) {
      std::fprintf(stderr, "Result::value() on failure: %s\n", status_.ToString().c_str());
      std::abort();
    }
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace sijil

#endif  // SIJIL_BASE_RESULT_H_
