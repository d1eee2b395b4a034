// Wiring: what `terraform validate` would reject about how modules fit together, checked offline.
//   WIRING_ARG       a module argument that is not a variable of the called module
//   WIRING_REQUIRED  a variable without a default that the call does not pass
//   WIRING_REF       var./local./module.X.Y/resource/data references that do not resolve
//   WIRING_PROVIDER  passed providers that do not match the module's configuration_aliases
#pragma once

#include <vector>

#include "infra/finding.h"
#include "infra/stack.h"

namespace dr::infra {

std::vector<Finding> check_wiring(const Stack& stack);

}  // namespace dr::infra
