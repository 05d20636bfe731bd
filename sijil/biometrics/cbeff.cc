#include "sijil/biometrics/cbeff.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <string>
#include <utility>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {
namespace {

Status CbeffError(std::string message) { return InvalidBioInput("CBEFF: " + message); }

std::string_view LocalName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool NameIs(const pugi::xml_node& n, std::string_view want) {
  std::string_view name = LocalName(n);
  return name.size() == want.size() &&
         std::equal(name.begin(), name.end(), want.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && NameIs(c, name)) return c;
  }
  return {};
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Text(const pugi::xml_node& n) { return Trim(n.child_value()); }

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

Result<int64_t> ParseInt(std::string_view s, std::string_view field) {
  std::string t = Trim(s);
  int64_t v = 0;
  const char* b = t.data();
  const char* e = t.data() + t.size();
  if (!t.empty() && *b == '+') ++b;
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (t.empty() || ec != std::errc() || ptr != e) {
    return CbeffError(std::string(field) + " is not an integer");
  }
  return v;
}

Result<bool> ParseBool(std::string_view s, std::string_view field) {
  std::string t = Trim(s);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "true" || t == "1") return true;
  if (t == "false" || t == "0") return false;
  return CbeffError(std::string(field) + " is not a boolean");
}

Result<Bytes> ParseBinary(const pugi::xml_node& n, std::string_view field) {
  auto b = Base64Decode(n.child_value());
  if (!b.ok()) return CbeffError(std::string(field) + " is neither base64 nor base64url");
  return std::move(b).value();
}

Result<CbeffVersion> ParseVersion(const pugi::xml_node& n, std::string_view field) {
  CbeffVersion v;
  pugi::xml_node major = Child(n, "Major"), minor = Child(n, "Minor");
  if (major || minor) {
    SIJIL_ASSIGN_OR_RETURN(int64_t a, ParseInt(major.child_value(), field));
    SIJIL_ASSIGN_OR_RETURN(int64_t b, ParseInt(minor.child_value(), field));
    if (a < 0 || b < 0 || a > 0xFFFFFFFFll || b > 0xFFFFFFFFll) {
      return CbeffError(std::string(field) + " out of range");
    }
    v.major = static_cast<uint32_t>(a);
    v.minor = static_cast<uint32_t>(b);
    return v;
  }
  // "1.1" as text.
  std::string t = Text(n);
  size_t dot = t.find('.');
  SIJIL_ASSIGN_OR_RETURN(int64_t a, ParseInt(t.substr(0, dot), field));
  int64_t b = 0;
  if (dot != std::string::npos) {
    SIJIL_ASSIGN_OR_RETURN(b, ParseInt(t.substr(dot + 1), field));
  }
  if (a < 0 || b < 0 || a > 0xFFFFFFFFll || b > 0xFFFFFFFFll) {
    return CbeffError(std::string(field) + " out of range");
  }
  v.major = static_cast<uint32_t>(a);
  v.minor = static_cast<uint32_t>(b);
  return v;
}

RegistryId ParseRegistryId(const pugi::xml_node& n) {
  return RegistryId{Text(Child(n, "Organization")), Text(Child(n, "Type"))};
}

// Reads <Name><Organization/><Type/></Name> or the legacy <NameOwner/> + <NameType/>.
std::optional<RegistryId> ParseRegistryPair(const pugi::xml_node& parent, std::string_view name) {
  if (pugi::xml_node n = Child(parent, name)) return ParseRegistryId(n);
  pugi::xml_node owner = Child(parent, std::string(name) + "Owner");
  pugi::xml_node type = Child(parent, std::string(name) + "Type");
  if (owner || type) return RegistryId{Text(owner), Text(type)};
  return std::nullopt;
}

std::optional<std::string> OptText(const pugi::xml_node& parent, std::string_view name) {
  if (pugi::xml_node n = Child(parent, name)) return Text(n);
  return std::nullopt;
}

Result<BirInfo> ParseBirInfo(const pugi::xml_node& n) {
  BirInfo info;
  info.creator = OptText(n, "Creator");
  info.index = OptText(n, "Index");
  if (pugi::xml_node p = Child(n, "Payload")) {
    SIJIL_ASSIGN_OR_RETURN(info.payload, ParseBinary(p, "BIRInfo/Payload"));
  }
  if (pugi::xml_node i = Child(n, "Integrity")) {
    SIJIL_ASSIGN_OR_RETURN(info.integrity, ParseBool(i.child_value(), "BIRInfo/Integrity"));
  }
  info.creation_date = OptText(n, "CreationDate");
  info.not_valid_before = OptText(n, "NotValidBefore");
  info.not_valid_after = OptText(n, "NotValidAfter");
  return info;
}

Result<BdbInfo> ParseBdbInfo(const pugi::xml_node& n) {
  BdbInfo info;
  if (pugi::xml_node c = Child(n, "ChallengeResponse")) {
    SIJIL_ASSIGN_OR_RETURN(info.challenge_response, ParseBinary(c, "ChallengeResponse"));
  }
  info.index = OptText(n, "Index");
  info.format = ParseRegistryPair(n, "Format");
  if (pugi::xml_node e = Child(n, "Encryption")) {
    SIJIL_ASSIGN_OR_RETURN(info.encryption, ParseBool(e.child_value(), "BDBInfo/Encryption"));
  }
  info.creation_date = OptText(n, "CreationDate");
  info.not_valid_before = OptText(n, "NotValidBefore");
  info.not_valid_after = OptText(n, "NotValidAfter");
  if (pugi::xml_node t = Child(n, "Type")) info.type = Words(t.child_value());
  if (pugi::xml_node s = Child(n, "Subtype")) info.subtype = Words(s.child_value());
  info.level = OptText(n, "Level");
  info.product = ParseRegistryPair(n, "Product");
  if (pugi::xml_node c = Child(n, "CaptureDevice")) info.capture_device = ParseRegistryId(c);
  if (pugi::xml_node c = Child(n, "FeatureExtractionAlgorithm")) {
    info.feature_extraction_algorithm = ParseRegistryId(c);
  }
  if (pugi::xml_node c = Child(n, "ComparisonAlgorithm")) {
    info.comparison_algorithm = ParseRegistryId(c);
  }
  if (pugi::xml_node c = Child(n, "CompressionAlgorithm")) {
    info.compression_algorithm = ParseRegistryId(c);
  }
  info.purpose = OptText(n, "Purpose");
  if (pugi::xml_node q = Child(n, "Quality")) {
    CbeffQuality quality;
    pugi::xml_node alg = Child(q, "Algorithm"), score = Child(q, "Score"),
                   failed = Child(q, "QualityCalculationFailed");
    if (alg || score || failed) {
      if (alg) quality.algorithm = ParseRegistryId(alg);
      if (failed) quality.calculation_failed = Text(failed);
      if (score) {
        SIJIL_ASSIGN_OR_RETURN(int64_t s, ParseInt(score.child_value(), "Quality/Score"));
        if (s < -2 || s > 100) return CbeffError("Quality/Score out of range");
        quality.score = static_cast<int>(s);
      }
    } else if (!Text(q).empty()) {
      SIJIL_ASSIGN_OR_RETURN(int64_t s, ParseInt(q.child_value(), "Quality"));
      if (s < -2 || s > 100) return CbeffError("Quality out of range");
      quality.score = static_cast<int>(s);
    }
    info.quality = quality;
  }
  return info;
}

struct ParseState {
  const CbeffLimits& limits;
  size_t birs = 0;
};

Status ParseOthers(const pugi::xml_node& n, Bir& bir) {
  pugi::xml_node key = Child(n, "Key");
  if (key) {
    bir.others.emplace_back(Text(key), std::string(Child(n, "Value").child_value()));
    return Status::Ok();
  }
  for (pugi::xml_node e = n.first_child(); e; e = e.next_sibling()) {
    if (e.type() != pugi::node_element) continue;
    if (!NameIs(e, "entry")) return CbeffError("unexpected element inside others");
    bir.others.emplace_back(e.attribute("key").value(), std::string(e.child_value()));
  }
  return Status::Ok();
}

Result<Bir> ParseBir(const pugi::xml_node& n, int depth, ParseState& st) {
  if (depth > st.limits.max_depth) return CbeffError("BIRs nested too deeply");
  if (++st.birs > st.limits.max_birs) return CbeffError("too many BIRs");
  Bir bir;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (NameIs(c, "Version")) {
      SIJIL_ASSIGN_OR_RETURN(bir.version, ParseVersion(c, "Version"));
    } else if (NameIs(c, "CBEFFVersion")) {
      SIJIL_ASSIGN_OR_RETURN(bir.cbeff_version, ParseVersion(c, "CBEFFVersion"));
    } else if (NameIs(c, "BIRInfo")) {
      SIJIL_ASSIGN_OR_RETURN(bir.bir_info, ParseBirInfo(c));
    } else if (NameIs(c, "BDBInfo")) {
      SIJIL_ASSIGN_OR_RETURN(bir.bdb_info, ParseBdbInfo(c));
    } else if (NameIs(c, "SBInfo")) {
      bir.sb_format = ParseRegistryPair(c, "Format");
      if (!bir.sb_format) bir.sb_format = RegistryId{};
    } else if (NameIs(c, "BIR")) {
      SIJIL_ASSIGN_OR_RETURN(Bir child, ParseBir(c, depth + 1, st));
      bir.children.push_back(std::move(child));
    } else if (NameIs(c, "BDB")) {
      SIJIL_ASSIGN_OR_RETURN(bir.bdb, ParseBinary(c, "BDB"));
    } else if (NameIs(c, "SB")) {
      SIJIL_ASSIGN_OR_RETURN(bir.sb, ParseBinary(c, "SB"));
    } else if (NameIs(c, "Others")) {
      SIJIL_RETURN_IF_ERROR(ParseOthers(c, bir));
    } else {
      std::ostringstream xml;
      c.print(xml, "", pugi::format_raw);
      bir.extensions.push_back(xml.str());
    }
  }
  return bir;
}

// ---- writing ---------------------------------------------------------------------------

struct Writer {
  const CbeffWriteOptions& options;

  std::string Binary(const Bytes& b) const {
    return options.base64url ? Base64UrlEncode(b) : Base64Encode(b);
  }

  static void Text(pugi::xml_node parent, const char* name, std::string_view value) {
    parent.append_child(name).text().set(std::string(value).c_str());
  }

  static void Version(pugi::xml_node parent, const char* name, const CbeffVersion& v) {
    pugi::xml_node n = parent.append_child(name);
    Text(n, "Major", std::to_string(v.major));
    Text(n, "Minor", std::to_string(v.minor));
  }

  static void Registry(pugi::xml_node parent, const char* name, const RegistryId& id) {
    pugi::xml_node n = parent.append_child(name);
    Text(n, "Organization", id.organization);
    Text(n, "Type", id.type);
  }

  void RegistryPair(pugi::xml_node parent, const char* name, const RegistryId& id) const {
    if (options.flavor == CbeffFlavor::kOasis) {
      Text(parent, (std::string(name) + "Owner").c_str(), id.organization);
      Text(parent, (std::string(name) + "Type").c_str(), id.type);
    } else {
      Registry(parent, name, id);
    }
  }

  Status Bir(pugi::xml_node n, const sijil::biometrics::Bir& bir, int depth) const {
    if (depth > 8) return CbeffError("BIRs nested too deeply to write");
    if (bir.version) Version(n, "Version", *bir.version);
    if (bir.cbeff_version) Version(n, "CBEFFVersion", *bir.cbeff_version);
    for (const std::string& ext : bir.extensions) {
      pugi::xml_parse_result r = n.append_buffer(ext.data(), ext.size());
      if (!r) return CbeffError("an extension element is not well-formed XML");
    }
    pugi::xml_node info = n.append_child("BIRInfo");
    const BirInfo& bi = bir.bir_info;
    if (bi.creator) Text(info, "Creator", *bi.creator);
    if (bi.index) Text(info, "Index", *bi.index);
    if (bi.payload) Text(info, "Payload", Binary(*bi.payload));
    Text(info, "Integrity", bi.integrity.value_or(false) ? "true" : "false");
    if (bi.creation_date) Text(info, "CreationDate", *bi.creation_date);
    if (bi.not_valid_before) Text(info, "NotValidBefore", *bi.not_valid_before);
    if (bi.not_valid_after) Text(info, "NotValidAfter", *bi.not_valid_after);
    if (bir.bdb_info) BdbInfo(n.append_child("BDBInfo"), *bir.bdb_info);
    if (bir.sb_format) {
      pugi::xml_node sbi = n.append_child("SBInfo");
      if (!bir.sb_format->organization.empty() || !bir.sb_format->type.empty()) {
        RegistryPair(sbi, "Format", *bir.sb_format);
      }
    }
    for (const auto& child : bir.children) {
      SIJIL_RETURN_IF_ERROR(Bir(n.append_child("BIR"), child, depth + 1));
    }
    if (bir.bdb) Text(n, "BDB", Binary(*bir.bdb));
    if (bir.sb) Text(n, "SB", Binary(*bir.sb));
    if (options.flavor == CbeffFlavor::kOasis) {
      for (const auto& [k, v] : bir.others) {
        pugi::xml_node o = n.append_child("Others");
        Text(o, "Key", k);
        Text(o, "Value", v);
      }
    } else if (!bir.others.empty()) {
      pugi::xml_node o = n.append_child("others");
      for (const auto& [k, v] : bir.others) {
        pugi::xml_node e = o.append_child("entry");
        e.append_attribute("key").set_value(k.c_str());
        e.text().set(v.c_str());
      }
    }
    return Status::Ok();
  }

  void BdbInfo(pugi::xml_node n, const sijil::biometrics::BdbInfo& b) const {
    if (b.challenge_response) Text(n, "ChallengeResponse", Binary(*b.challenge_response));
    if (b.index) Text(n, "Index", *b.index);
    if (b.format) RegistryPair(n, "Format", *b.format);
    if (b.encryption) Text(n, "Encryption", *b.encryption ? "true" : "false");
    if (b.creation_date) Text(n, "CreationDate", *b.creation_date);
    if (b.not_valid_before) Text(n, "NotValidBefore", *b.not_valid_before);
    if (b.not_valid_after) Text(n, "NotValidAfter", *b.not_valid_after);
    if (!b.type.empty()) Text(n, "Type", JoinWords(b.type));
    if (b.subtype) Text(n, "Subtype", JoinWords(*b.subtype));
    if (b.level) Text(n, "Level", *b.level);
    if (b.product) RegistryPair(n, "Product", *b.product);
    if (options.flavor == CbeffFlavor::kIso) {
      if (b.capture_device) Registry(n, "CaptureDevice", *b.capture_device);
      if (b.feature_extraction_algorithm) {
        Registry(n, "FeatureExtractionAlgorithm", *b.feature_extraction_algorithm);
      }
      if (b.comparison_algorithm) Registry(n, "ComparisonAlgorithm", *b.comparison_algorithm);
      if (b.compression_algorithm) {
        Registry(n, "CompressionAlgorithm", *b.compression_algorithm);
      }
    }
    if (b.purpose) Text(n, "Purpose", *b.purpose);
    if (b.quality) {
      if (options.flavor == CbeffFlavor::kOasis) {
        if (b.quality->score) Text(n, "Quality", std::to_string(*b.quality->score));
      } else {
        pugi::xml_node q = n.append_child("Quality");
        Registry(q, "Algorithm", b.quality->algorithm.value_or(RegistryId{}));
        if (b.quality->score) {
          Text(q, "Score", std::to_string(*b.quality->score));
        } else {
          Text(q, "QualityCalculationFailed", b.quality->calculation_failed.value_or(""));
        }
      }
    }
  }
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void CollectWithBdb(const Bir& bir, std::vector<const Bir*>& out) {
  if (bir.bdb) out.push_back(&bir);
  for (const Bir& c : bir.children) CollectWithBdb(c, out);
}

}  // namespace

std::optional<std::string> Bir::Other(std::string_view key) const {
  for (const auto& [k, v] : others) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Result<Bir> ParseCbeffXml(std::string_view xml, const CbeffLimits& limits) {
  if (Trim(xml).empty()) return MissingBioInput("CBEFF XML is empty");
  if (xml.size() > limits.max_bytes) {
    return BioStatus(BioErrorCode::kInvalidInput, StatusKind::kResourceExhausted,
                     "CBEFF XML larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed) {
    return CbeffError(std::string("XML is not well-formed: ") + parsed.description() +
                      " at offset " + std::to_string(parsed.offset));
  }
  pugi::xml_node root = doc.document_element();
  if (!root || !NameIs(root, "BIR")) return CbeffError("the root element is not a BIR");
  ParseState st{limits};
  return ParseBir(root, 0, st);
}

Result<std::string> WriteCbeffXml(const Bir& root, const CbeffWriteOptions& options) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version").set_value("1.0");
  decl.append_attribute("encoding").set_value("UTF-8");
  decl.append_attribute("standalone").set_value("yes");
  pugi::xml_node bir = doc.append_child("BIR");
  std::string ns(options.flavor == CbeffFlavor::kOasis ? kCbeffOasisNamespace : kCbeffIsoNamespace);
  bir.append_attribute("xmlns").set_value(ns.c_str());
  Writer w{options};
  SIJIL_RETURN_IF_ERROR(w.Bir(bir, root, 0));
  std::ostringstream out;
  doc.save(out, "    ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

std::vector<const Bir*> BirsWithBdb(const Bir& root) {
  std::vector<const Bir*> out;
  CollectWithBdb(root, out);
  return out;
}

Result<std::vector<const Bir*>> FindBirs(const Bir& root, std::string_view type,
                                         std::string_view subtype) {
  std::vector<std::string> want = Words(subtype);
  std::vector<const Bir*> out;
  for (const Bir* b : BirsWithBdb(root)) {
    if (!b->bdb_info) continue;
    bool type_ok = std::any_of(b->bdb_info->type.begin(), b->bdb_info->type.end(),
                               [&](const std::string& t) { return EqualsIgnoreCase(t, type); });
    if (!type_ok) continue;
    if (!want.empty()) {
      const auto& have = b->bdb_info->subtype;
      if (!have || have->size() != want.size() ||
          !std::equal(have->begin(), have->end(), want.begin(), EqualsIgnoreCase)) {
        continue;
      }
    }
    out.push_back(b);
  }
  if (out.empty()) {
    return BioStatus(BioErrorCode::kBiometricsNotFound,
                     "no " + std::string(type) +
                         (subtype.empty() ? "" : " " + std::string(subtype)) +
                         " biometrics in the CBEFF");
  }
  return out;
}

}  // namespace sijil::biometrics
