// Status: the outcome of an operation that can fail in an expected way.
//
// A Status is either OK or carries a kind (used to choose an HTTP status or an exit code),
// a stable string code (a MOSIP code such as "KER-IDV-203" where one exists, else one of
// ours such as "SIJ-STO-001") and a message safe to show a client: never key material or
// personal data. Status is a value type; copies are independent and thread-compatible.
#ifndef SIJIL_BASE_STATUS_H_
#define SIJIL_BASE_STATUS_H_

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace sijil {

// Broad classes of failure. Callers branch on the kind; clients see the code.
enum class StatusKind {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed or violates a rule
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // creating something that exists
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // no or bad credentials
  kFailedPrecondition,  // the system is not in a state that allows this
  kResourceExhausted,   // quota, pool or size limit reached
  kAborted,             // concurrency conflict: retrying may succeed
  kDeadlineExceeded,    // took too long
  kUnavailable,         // a dependency is down: retrying later may succeed
  kDataLoss,            // stored data is corrupt or was tampered with
  kUnimplemented,       // not supported by this build or configuration
  kInternal,            // a bug or an unexpected failure of a dependency
};

std::string_view StatusKindName(StatusKind kind);

class [[nodiscard]] Status {
 public:
  // OK.
  Status() = default;
  // A failure; `kind` must not be kOk.
  Status(StatusKind kind, std::string code, std::string message);

  static Status Ok() { return Status(); }

  // Shorthands. `code` is the stable machine-readable code.
  static Status InvalidArgument(std::string code, std::string message);
  static Status NotFound(std::string code, std::string message);
  static Status AlreadyExists(std::string code, std::string message);
  static Status PermissionDenied(std::string code, std::string message);
  static Status Unauthenticated(std::string code, std::string message);
  static Status FailedPrecondition(std::string code, std::string message);
  static Status ResourceExhausted(std::string code, std::string message);
  static Status Aborted(std::string code, std::string message);
  static Status DeadlineExceeded(std::string code, std::string message);
  static Status Unavailable(std::string code, std::string message);
  static Status DataLoss(std::string code, std::string message);
  static Status Unimplemented(std::string code, std::string message);
  static Status Internal(std::string code, std::string message);

  bool ok() const { return rep_ == nullptr; }
  StatusKind kind() const;
  // Empty for OK.
  const std::string& code() const;
  const std::string& message() const;

  // "OK" or "<code>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` ("context: message").
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b);

 private:
  struct Rep {
    StatusKind kind;
    std::string code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

}  // namespace sijil

#define SIJIL_STATUS_CONCAT_INNER_(a, b) a##b
#define SIJIL_STATUS_CONCAT_(a, b) SIJIL_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define SIJIL_RETURN_IF_ERROR(expr)                        \
  do {                                                     \
    ::sijil::Status sijil_status_tmp_ = (expr);            \
    if (!sijil_status_tmp_.ok()) return sijil_status_tmp_; \
  } while (false)

// `lhs = value of expr` (a Result<T>), or returns its Status from the enclosing function.
// `lhs` may be a declaration: SIJIL_ASSIGN_OR_RETURN(auto x, Foo());
#define SIJIL_ASSIGN_OR_RETURN(lhs, expr) \
  SIJIL_ASSIGN_OR_RETURN_IMPL_(SIJIL_STATUS_CONCAT_(sijil_result_, __LINE__), lhs, expr)
#define SIJIL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#endif  // SIJIL_BASE_STATUS_H_
