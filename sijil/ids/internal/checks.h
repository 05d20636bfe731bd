// The rule checks of identifiers.h without the settings check, for callers (the generator)
// that validated their settings once up front. Pure functions; thread-safe.
#ifndef SIJIL_IDS_INTERNAL_CHECKS_H_
#define SIJIL_IDS_INTERNAL_CHECKS_H_

#include <string_view>

#include "sijil/ids/identifiers.h"

namespace sijil::ids::internal {

// The first rule `id` breaks, in MOSIP's order, or IdRule::kNone. Building no Status keeps
// rejection cheap for the generator. `settings` must have passed its Check().
IdRule FirstBrokenUinRule(std::string_view uin, const UinSettings& settings, RuleSet rules);
IdRule FirstBrokenVidRule(std::string_view vid, const VidSettings& settings, RuleSet rules);
IdRule FirstBrokenPridRule(std::string_view prid, const PridSettings& settings, RuleSet rules);

}  // namespace sijil::ids::internal

#endif  // SIJIL_IDS_INTERNAL_CHECKS_H_
