#include "sijil/crypto/jws.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"

namespace sijil::crypto {
namespace {

using nlohmann::json;

// Large enough for a three-certificate x5c chain; bounds the work a hostile header causes.
constexpr size_t kMaxHeaderChars = 64 * 1024;
constexpr size_t kMaxX5c = 10;

Status Malformed(std::string msg) {
  return Status::InvalidArgument(kErrJwsMalformed, std::move(msg));
}
Status BadHeader(std::string msg) { return Status::InvalidArgument(kErrJwsHeader, std::move(msg)); }

// Parses a JSON object, rejecting duplicate member names at any depth: two parsers that
// disagree on which duplicate wins are a classic signature-bypass.
Result<json> ParseStrictObject(std::string_view text) {
  std::vector<std::set<std::string>> seen;
  bool duplicate = false;
  json::parser_callback_t cb = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        seen.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!seen.empty()) seen.pop_back();
        break;
      case json::parse_event_t::key:
        if (!seen.empty() && !seen.back().insert(parsed.get<std::string>()).second) {
          duplicate = true;
        }
        break;
      default:
        break;
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/false);
  if (value.is_discarded()) return BadHeader("JWS header is not valid JSON");
  if (duplicate) return BadHeader("JWS header has a duplicate member");
  if (!value.is_object()) return BadHeader("JWS header is not a JSON object");
  return value;
}

Result<std::string> OptionalString(const json& header, const char* name) {
  auto it = header.find(name);
  if (it == header.end()) return std::string();
  if (!it->is_string())
    return BadHeader(std::string("JWS header member ") + name + " is not a string");
  return it->get<std::string>();
}

Result<JwsHeader> DecodeHeader(std::string_view encoded) {
  if (encoded.size() > kMaxHeaderChars) return BadHeader("JWS header too large");
  SIJIL_ASSIGN_OR_RETURN(Bytes raw, internal::StrictBase64UrlDecode(encoded, kErrJwsBase64));
  JwsHeader header;
  header.json.assign(raw.begin(), raw.end());
  SIJIL_ASSIGN_OR_RETURN(json h, ParseStrictObject(header.json));

  auto alg = h.find("alg");
  if (alg == h.end() || !alg->is_string()) {
    return Status::InvalidArgument(kErrJwsAlgorithm, "JWS header has no alg");
  }
  SIJIL_ASSIGN_OR_RETURN(header.alg, ParseJwsAlgorithm(alg->get<std::string>()));
  SIJIL_ASSIGN_OR_RETURN(header.kid, OptionalString(h, "kid"));
  SIJIL_ASSIGN_OR_RETURN(header.typ, OptionalString(h, "typ"));
  SIJIL_ASSIGN_OR_RETURN(header.cty, OptionalString(h, "cty"));

  bool b64_critical = false;
  if (auto crit = h.find("crit"); crit != h.end()) {
    if (!crit->is_array() || crit->empty()) return BadHeader("JWS crit must be a non-empty array");
    for (const json& name : *crit) {
      if (!name.is_string()) return BadHeader("JWS crit lists a non-string");
      if (name.get<std::string>() != "b64") {
        return BadHeader("JWS crit lists an extension this verifier does not understand");
      }
      b64_critical = true;
    }
  }
  if (auto b64 = h.find("b64"); b64 != h.end()) {
    if (!b64->is_boolean()) return BadHeader("JWS b64 must be a boolean");
    header.b64 = b64->get<bool>();
    if (!b64_critical) return BadHeader("JWS b64 must be listed in crit (RFC 7797)");
  } else if (b64_critical) {
    return BadHeader("JWS crit lists b64 but the header has none");
  }

  if (auto x5c = h.find("x5c"); x5c != h.end()) {
    if (!x5c->is_array() || x5c->empty() || x5c->size() > kMaxX5c) {
      return Status::InvalidArgument(kErrJwsCertificate, "JWS x5c must be a short non-empty array");
    }
    for (const json& entry : *x5c) {
      if (!entry.is_string()) {
        return Status::InvalidArgument(kErrJwsCertificate, "JWS x5c entry is not a string");
      }
      auto der = Base64Decode(entry.get<std::string>());
      if (!der.ok()) {
        return Status::InvalidArgument(kErrJwsCertificate, "JWS x5c entry is not base64");
      }
      auto cert = Certificate::FromDer(*der);
      if (!cert.ok()) {
        return Status::InvalidArgument(kErrJwsCertificate, "JWS x5c entry is not a certificate");
      }
      header.x5c.push_back(*std::move(cert));
    }
  }
  return header;
}

}  // namespace

Result<std::string> SignJws(const Signer& signer, std::span<const uint8_t> payload,
                            const JwsSignOptions& options) {
  if (!options.b64 && !options.detached &&
      std::find(payload.begin(), payload.end(), '.') != payload.end()) {
    return Malformed("an attached unencoded JWS payload must not contain '.'");
  }
  // Members in a fixed order so equal inputs give equal tokens.
  json header = json::object();
  header["alg"] = JwsAlgorithmName(signer.algorithm());
  if (!options.b64) {
    header["b64"] = false;
    header["crit"] = json::array({"b64"});
  }
  if (!options.kid.empty()) header["kid"] = options.kid;
  if (!options.typ.empty()) header["typ"] = options.typ;
  if (!options.cty.empty()) header["cty"] = options.cty;
  if (options.include_x5c && !signer.chain().empty()) {
    json chain = json::array();
    for (const Certificate& c : signer.chain()) chain.push_back(Base64Encode(c.der()));
    header["x5c"] = std::move(chain);
  }
  std::string encoded_header = Base64UrlEncode(AsBytes(header.dump()));
  std::string encoded_payload =
      options.b64 ? Base64UrlEncode(payload) : std::string(AsChars(payload));

  std::string signing_input;
  signing_input.reserve(encoded_header.size() + 1 + encoded_payload.size());
  signing_input.append(encoded_header).append(".").append(encoded_payload);
  SIJIL_ASSIGN_OR_RETURN(Bytes signature, signer.Sign(AsBytes(signing_input)));

  std::string out = std::move(encoded_header);
  out.push_back('.');
  if (!options.detached) out.append(encoded_payload);
  out.push_back('.');
  out.append(Base64UrlEncode(signature));
  return out;
}

Result<ParsedJws> ParseJws(std::string_view jws,
                           std::optional<std::span<const uint8_t>> detached_payload) {
  size_t first = jws.find('.');
  if (first == std::string_view::npos) return Malformed("JWS must have three segments");
  size_t last = jws.rfind('.');
  if (last == first) return Malformed("JWS must have three segments");
  std::string_view header_part = jws.substr(0, first);
  std::string_view payload_part = jws.substr(first + 1, last - first - 1);
  std::string_view signature_part = jws.substr(last + 1);
  if (header_part.empty() || signature_part.empty()) {
    return Malformed("JWS header or signature segment is empty");
  }

  ParsedJws out;
  SIJIL_ASSIGN_OR_RETURN(out.header, DecodeHeader(header_part));
  // With an encoded payload a '.' can only be a fourth segment; an unencoded attached
  // payload may not contain one either (RFC 7797 §5.2).
  if (payload_part.find('.') != std::string_view::npos) {
    return Malformed("JWS must have three segments");
  }
  SIJIL_ASSIGN_OR_RETURN(out.signature,
                         internal::StrictBase64UrlDecode(signature_part, kErrJwsBase64));

  out.signing_input.reserve(jws.size());
  out.signing_input.append(header_part).append(".");
  if (detached_payload.has_value()) {
    if (!payload_part.empty()) {
      return Malformed("JWS carries a payload although a detached payload was supplied");
    }
    out.detached = true;
    out.payload.assign(detached_payload->begin(), detached_payload->end());
    if (out.header.b64) {
      out.signing_input.append(Base64UrlEncode(*detached_payload));
    } else {
      out.signing_input.append(AsChars(*detached_payload));
    }
  } else if (out.header.b64) {
    SIJIL_ASSIGN_OR_RETURN(out.payload,
                           internal::StrictBase64UrlDecode(payload_part, kErrJwsBase64));
    out.signing_input.append(payload_part);
  } else {
    out.payload.assign(payload_part.begin(), payload_part.end());
    out.signing_input.append(payload_part);
  }
  return out;
}

namespace {

Status CheckAllowed(const ParsedJws& parsed, const JwsVerifyOptions& options) {
  if (std::find(options.allowed.begin(), options.allowed.end(), parsed.header.alg) ==
      options.allowed.end()) {
    return Status::InvalidArgument(kErrJwsAlgorithm, "JWS algorithm not allowed here");
  }
  return Status::Ok();
}

}  // namespace

Result<ParsedJws> VerifyJws(std::string_view jws, const PublicKey& key,
                            const JwsVerifyOptions& options,
                            std::optional<std::span<const uint8_t>> detached_payload) {
  SIJIL_ASSIGN_OR_RETURN(ParsedJws parsed, ParseJws(jws, detached_payload));
  SIJIL_RETURN_IF_ERROR(CheckAllowed(parsed, options));
  SIJIL_RETURN_IF_ERROR(
      VerifySignature(key, parsed.header.alg, AsBytes(parsed.signing_input), parsed.signature));
  return parsed;
}

Result<ParsedJws> VerifyJwsWithX5c(std::string_view jws, std::span<const Certificate> trusted,
                                   const JwsVerifyOptions& options,
                                   std::optional<std::span<const uint8_t>> detached_payload) {
  SIJIL_ASSIGN_OR_RETURN(ParsedJws parsed, ParseJws(jws, detached_payload));
  SIJIL_RETURN_IF_ERROR(CheckAllowed(parsed, options));
  const std::vector<Certificate>& chain = parsed.header.x5c;
  if (chain.empty()) {
    return Status::InvalidArgument(kErrJwsCertificate, "JWS has no x5c certificate chain");
  }
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    if (!chain[i].VerifySignedBy(chain[i + 1].public_key()).ok()) {
      return Status::Unauthenticated(kErrJwsCertificate, "JWS x5c chain is broken");
    }
  }
  const Certificate& top = chain.back();
  bool anchored = false;
  for (const Certificate& t : trusted) {
    if (t.der() == top.der() || top.VerifySignedBy(t.public_key()).ok()) {
      anchored = true;
      break;
    }
  }
  if (!anchored) {
    return Status::Unauthenticated(kErrJwsCertificate,
                                   "JWS x5c chain does not lead to a trusted certificate");
  }
  SIJIL_RETURN_IF_ERROR(VerifySignature(chain.front().public_key(), parsed.header.alg,
                                        AsBytes(parsed.signing_input), parsed.signature));
  return parsed;
}

}  // namespace sijil::crypto
