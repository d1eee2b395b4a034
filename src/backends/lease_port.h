// What both worlds' core::WriteLease ports share: lease::take (src/lease/take.h) on the store
// they picked, its outcome as the runbook's note, its errors as core's.
#pragma once

#include <string>

#include "core/error.h"
#include "core/ports.h"
#include "lease/error.h"
#include "lease/store.h"
#include "lease/take.h"

namespace dr::backends {

core::Error to_core(const lease::Error& error);

// lease::take for core's port: the note ("handed over to us-west-2 epoch 3") or a core::Error.
core::Result<lease::Taken> take_write_lease(lease::LeaseStore& store, const std::string& region,
                                            core::LeaseTake how, const lease::TakeOptions& options);

}  // namespace dr::backends
