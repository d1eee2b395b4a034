// `drctl drill --controller`: what was asked passes through, and "auto" falls back to the lab
// controller wherever the lab's Lambda cannot act, including a drctl with no bootstrap beside it.
#include "drill/controller_choice.h"

#include <gtest/gtest.h>

namespace dr::drill {
namespace {

std::string chosen(std::string_view asked, const ControllerNeeds& needs) {
  auto c = choose_controller(asked, needs);
  if (!c) return "error: " + c.error();
  return c->controller;
}

TEST(ControllerChoice, WhatIsAskedPassesThroughWhateverTheNeeds) {
  for (const bool cut : {false, true})
    for (const bool lease : {false, true})
      for (const bool bootstrap : {false, true}) {
        const ControllerNeeds needs{cut, lease, bootstrap};
        EXPECT_EQ(chosen("lab", needs), "lab");
        EXPECT_EQ(chosen("lambda", needs), "lambda");
        EXPECT_EQ(choose_controller("lambda", needs)->why, "asked with --controller");
      }
}

TEST(ControllerChoice, AutoRunsTheLambdaWhenItsBootstrapIsAtHand) {
  auto c = choose_controller("auto", {.bootstrap_present = true});
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->controller, "lambda");
  EXPECT_EQ(c->why, "auto: the Lambda's bootstrap is at hand");
}

TEST(ControllerChoice, AutoWithoutABootstrapFallsBackToTheLabController) {
  auto c = choose_controller("auto", {.bootstrap_present = false});
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->controller, "lab");
  EXPECT_EQ(c->why, "auto: no Lambda bootstrap beside drctl or in its build tree");
}

TEST(ControllerChoice, AutoTakesTheLabForACutEvenWithABootstrap) {
  auto c = choose_controller("auto", {.cuts_network = true, .bootstrap_present = true});
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->controller, "lab");
  EXPECT_NE(c->why.find("cuts the network"), std::string::npos) << c->why;
}

TEST(ControllerChoice, AutoTakesTheLabForALabWithTheWriteLeaseEvenWithABootstrap) {
  auto c = choose_controller("auto", {.write_lease = true, .bootstrap_present = true});
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->controller, "lab");
  EXPECT_NE(c->why.find("write lease"), std::string::npos) << c->why;
}

TEST(ControllerChoice, AnythingElseIsRefusedNamingTheChoices) {
  for (const std::string_view asked : {"", "Lab", "lambda ", "aws", "auto\n"}) {
    auto c = choose_controller(asked, {.bootstrap_present = true});
    ASSERT_FALSE(c) << asked;
    EXPECT_EQ(c.error(),
              "--controller: '" + std::string(asked) + "' is none of auto, lambda and lab");
  }
}

}  // namespace
}  // namespace dr::drill
