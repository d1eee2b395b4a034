// Signatures per second: the cost the AWS client adds to every call (and every retry).
// Run: build/release/bench/bench_sigv4
#include <benchmark/benchmark.h>

#include "aws/dynamodb.h"
#include "aws/sigv4.h"

namespace {

using namespace dr::aws;

HttpRequest put_item_request() {
  JsonRequest item = {{"pk", {{"S", "order#000123"}}}, {"amount_cents", {{"N", "4200"}}}};
  JsonRequest in = {{"TableName", "dr-app-sessions"},
                    {"Item", item},
                    {"ConditionExpression", "attribute_not_exists(pk)"}};
  HttpRequest r = json_request(DynamoDb::protocol(), "PutItem", in);
  r.set_header("Host", "dynamodb.us-east-1.amazonaws.com");
  return r;
}

void BM_SignDynamoDbPutItem(benchmark::State& state) {
  const HttpRequest base = put_item_request();
  Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "bench"};
  SigningConfig config{
      .region = "us-east-1", .service = "dynamodb", .time = *parse_iso8601("2015-08-30T12:36:00Z")};
  for (auto _ : state) {
    HttpRequest r = base;
    benchmark::DoNotOptimize(sign_request(r, creds, config));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignDynamoDbPutItem);

void BM_PresignGet(benchmark::State& state) {
  HttpRequest base;
  base.path = "/";
  base.set_header("Host", "example.amazonaws.com");
  Credentials creds{
      "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token", {}, "bench"};
  SigningConfig config{
      .region = "us-east-1", .service = "service", .time = *parse_iso8601("2015-08-30T12:36:00Z")};
  for (auto _ : state) {
    HttpRequest r = base;
    benchmark::DoNotOptimize(presign_request(r, creds, config));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PresignGet);

}  // namespace

BENCHMARK_MAIN();
