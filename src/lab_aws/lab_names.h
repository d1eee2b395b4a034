// The names the lab's AWS resources share: one account for every ARN, and the per-region
// resources (Auto Scaling groups, target groups) called "dr-lab-<region>". The handlers answer
// to them by default; the lab's function configuration (function_env.h) names them too.
#pragma once

namespace dr::lab_aws {

inline constexpr const char* kLabAccount = "000000000000";
inline constexpr const char* kLabPrefix = "dr-lab-";

}  // namespace dr::lab_aws
