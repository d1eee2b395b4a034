// Where the controller's world comes from: on AWS, backends/aws's AwsWorld built from the
// configuration (its evidence and its five ports, every endpoint resolved as the AWS CLI does).
// UnwiredWorld, which observes nothing and acts on nothing, stays for tests that need a runtime
// without any AWS.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "backends/aws/aws_targets.h"
#include "core/ports.h"
#include "core/world.h"
#include "lambda/config.h"

namespace dr::lambda {

using WorldFactory =
    std::function<std::expected<std::unique_ptr<core::World>, std::string>(const Config&)>;

// What the AWS world acts on and how it judges, from the function's configuration.
backends::aws_world::AwsTargets aws_targets_of(const Config& config);

// The AWS world for `config`; an error names what is wrong with it.
WorldFactory default_world_factory();

// observe() fails with a message naming what is missing, so the loop decides `wait` and never
// asks for backends(); should anything ask, every port refuses (not-supported) and acts on
// nothing.
class UnwiredWorld final : public core::World,
                           core::GlobalDatabase,
                           core::Fleet,
                           core::Traffic,
                           core::Probe,
                           core::Notifier,
                           core::WriteLease {
 public:
  std::expected<core::Snapshot, std::string> observe() override;
  core::Backends backends() override { return {*this, *this, *this, *this, *this, *this}; }

 private:
  core::Result<> fence_writer(const core::DatabaseMove&) override;
  core::Result<std::string> fail_over(const core::DatabaseMove&, bool) override;
  core::Result<std::string> switch_over(const core::DatabaseMove&) override;
  core::Result<> set_capacity(const std::string&, int, int, int) override;
  core::Result<> fence_apps(const std::string&, const std::string&) override;
  core::Result<> unfence_apps(const std::string&) override;
  core::Result<> shift_to(const std::string&) override;
  core::Result<> verify_write(const std::string&) override;
  core::Result<std::string> take(const std::string&, core::LeaseTake) override;
  core::Result<std::optional<std::string>> holder() override;
  void notify(const std::string&) override {}
};

}  // namespace dr::lambda
