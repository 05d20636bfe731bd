#include "sijil/names/record.h"

#include <cctype>
#include <cstdio>

namespace sijil::names {
namespace {

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

bool ParseInt(std::string_view s, size_t digits, int& out) {
  if (s.size() != digits) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

Sex ParseSex(std::string_view text) {
  std::string s = Lower(text);
  if (s == "m" || s == "male" || s == "mle" || s == "h" || s == "homme" || s == "ذكر") {
    return Sex::kMale;
  }
  if (s == "f" || s == "female" || s == "fle" || s == "femme" || s == "أنثى" || s == "انثى") {
    return Sex::kFemale;
  }
  return Sex::kUnknown;
}

std::string_view SexCode(Sex sex) {
  switch (sex) {
    case Sex::kMale:
      return "M";
    case Sex::kFemale:
      return "F";
    case Sex::kUnknown:
      break;
  }
  return "";
}

std::string BirthDate::ToString() const {
  char buf[16];
  if (year == 0) return "";
  if (month == 0) {
    std::snprintf(buf, sizeof buf, "%04d", year);
  } else if (day == 0) {
    std::snprintf(buf, sizeof buf, "%04d/%02d", year, month);
  } else {
    std::snprintf(buf, sizeof buf, "%04d/%02d/%02d", year, month, day);
  }
  return buf;
}

Result<BirthDate> ParseBirthDate(std::string_view text) {
  BirthDate d;
  if (text.empty()) return d;
  auto bad = [] {
    return Status::InvalidArgument("SIJ-NAM-020", "birth date must be YYYY/MM/DD, YYYY/MM or YYYY");
  };
  if (text.size() > 10) return bad();
  std::string_view parts[3];
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/' || text[i] == '-') {
      if (n == 3) return bad();
      parts[n++] = text.substr(start, i - start);
      start = i + 1;
    }
  }
  if (!ParseInt(parts[0], 4, d.year) || d.year < 1850 || d.year > 2200) return bad();
  if (n >= 2 && (!ParseInt(parts[1], 2, d.month) || d.month < 1 || d.month > 12)) return bad();
  if (n == 3 &&
      (!ParseInt(parts[2], 2, d.day) || d.day < 1 || d.day > DaysInMonth(d.year, d.month))) {
    return bad();
  }
  return d;
}

}  // namespace sijil::names
