#include "aws/http.h"

#include <algorithm>
#include <cctype>

#include "aws/encoding.h"

namespace dr::aws {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

namespace {
const std::string* find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return &v;
  }
  return nullptr;
}
}  // namespace

const std::string* HttpRequest::header(std::string_view name) const {
  return find_header(headers, name);
}

void HttpRequest::set_header(std::string_view name, std::string value) {
  remove_header(name);
  headers.emplace_back(std::string(name), std::move(value));
}

void HttpRequest::remove_header(std::string_view name) {
  std::erase_if(headers, [&](const auto& kv) { return iequals(kv.first, name); });
}

std::string HttpRequest::url() const {
  std::string out = scheme + "://" + host + path;
  if (!query.empty()) {
    out += '?';
    bool first = true;
    for (const auto& [k, v] : query) {
      if (!first) out += '&';
      first = false;
      out += uri_encode(k, true) + "=" + uri_encode(v, true);
    }
  }
  return out;
}

const std::string* HttpResponse::header(std::string_view name) const {
  return find_header(headers, name);
}

}  // namespace dr::aws
