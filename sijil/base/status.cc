#include "sijil/base/status.h"

#include <cstdlib>
#include <utility>

namespace sijil {

std::string_view StatusKindName(StatusKind kind) {
  switch (kind) {
    case StatusKind::kOk:
      return "OK";
    case StatusKind::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusKind::kNotFound:
      return "NOT_FOUND";
    case StatusKind::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusKind::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusKind::kUnauthenticated:
      return "UNAUTHENTICATED";
    case StatusKind::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusKind::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusKind::kAborted:
      return "ABORTED";
    case StatusKind::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case StatusKind::kUnavailable:
      return "UNAVAILABLE";
    case StatusKind::kDataLoss:
      return "DATA_LOSS";
    case StatusKind::kUnimplemented:
      return "UNIMPLEMENTED";
    case StatusKind::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

Status::Status(StatusKind kind, std::string code, std::string message) {
  // An OK kind with a code would be a contradiction; treat it as an internal error so the
  // mistake is visible rather than silently reading as success.
  if (kind == StatusKind::kOk) kind = StatusKind::kInternal;
  rep_ = std::make_shared<const Rep>(Rep{kind, std::move(code), std::move(message)});
}

#define SIJIL_STATUS_FACTORY_(Name, Kind)                                 \
  Status Status::Name(std::string code, std::string message) {            \
    return Status(StatusKind::Kind, std::move(code), std::move(message)); \
  }
SIJIL_STATUS_FACTORY_(InvalidArgument, kInvalidArgument)
SIJIL_STATUS_FACTORY_(NotFound, kNotFound)
SIJIL_STATUS_FACTORY_(AlreadyExists, kAlreadyExists)
SIJIL_STATUS_FACTORY_(PermissionDenied, kPermissionDenied)
SIJIL_STATUS_FACTORY_(Unauthenticated, kUnauthenticated)
SIJIL_STATUS_FACTORY_(FailedPrecondition, kFailedPrecondition)
SIJIL_STATUS_FACTORY_(ResourceExhausted, kResourceExhausted)
SIJIL_STATUS_FACTORY_(Aborted, kAborted)
SIJIL_STATUS_FACTORY_(DeadlineExceeded, kDeadlineExceeded)
SIJIL_STATUS_FACTORY_(Unavailable, kUnavailable)
SIJIL_STATUS_FACTORY_(DataLoss, kDataLoss)
SIJIL_STATUS_FACTORY_(Unimplemented, kUnimplemented)
SIJIL_STATUS_FACTORY_(Internal, kInternal)
#undef SIJIL_STATUS_FACTORY_

StatusKind Status::kind() const { return rep_ ? rep_->kind : StatusKind::kOk; }

const std::string& Status::code() const {
  static const std::string kEmpty;
  return rep_ ? rep_->code : kEmpty;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return rep_->code + ": " + rep_->message;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(rep_->kind, rep_->code, std::string(context) + ": " + rep_->message);
}

bool operator==(const Status& a, const Status& b) {
  if (a.ok() || b.ok()) return a.ok() == b.ok();
  return a.kind() == b.kind() && a.code() == b.code() && a.message() == b.message();
}

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

}  // namespace sijil
