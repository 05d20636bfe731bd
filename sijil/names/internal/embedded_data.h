// The data files under sijil/names/data/, compiled into the library at build time.
//
// Thread-safe: the contents are immutable static strings.
#ifndef SIJIL_NAMES_INTERNAL_EMBEDDED_DATA_H_
#define SIJIL_NAMES_INTERNAL_EMBEDDED_DATA_H_

#include <string_view>

namespace sijil::names::internal {

// Returns the content of data file `name` (e.g. "given_names.tsv"), or an empty view if the
// build did not embed such a file.
std::string_view EmbeddedDataFile(std::string_view name);

}  // namespace sijil::names::internal

#endif  // SIJIL_NAMES_INTERNAL_EMBEDDED_DATA_H_
