#include "lab_aws/cbor.h"

#include <bit>
#include <climits>
#include <cmath>

#include "lab_aws/form.h"

namespace dr::lab_aws::cbor {

using nlohmann::json;

void head(std::string& out, int major, std::uint64_t n) {
  const auto m = static_cast<char>(major << 5);
  if (n < 24) {
    out += static_cast<char>(m | static_cast<char>(n));
    return;
  }
  int bytes = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffULL ? 4 : 8;
  out += static_cast<char>(m | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27));
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xff);
}

void text(std::string& out, std::string_view s) {
  head(out, 3, s.size());
  out += s;
}

void dbl(std::string& out, double v) {
  out += static_cast<char>(0xfb);
  const auto bits = std::bit_cast<std::uint64_t>(v);
  for (int i = 7; i >= 0; --i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
}

void integer(std::string& out, long long v) {
  if (v >= 0)
    head(out, 0, static_cast<std::uint64_t>(v));
  else
    head(out, 1, static_cast<std::uint64_t>(-(v + 1)));
}

namespace {

// nlohmann's reader refuses tags 0-5 even when told to ignore tags, and botocore tags every
// timestamp 1: this small reader keeps the tagged value and refuses what it does not know.

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::expected<json, std::string> item(int depth = 0) {
    if (depth > 32) return std::unexpected("nested too deep");
    if (pos_ >= in_.size()) return std::unexpected("truncated");
    const auto first = static_cast<unsigned char>(in_[pos_++]);
    const int major = first >> 5;
    const int info = first & 0x1f;
    if (major == 7) return simple(info);
    auto n = argument(info);
    if (!n) return std::unexpected(n.error());
    switch (major) {
      case 0:
        return json(*n);
      case 1:
        if (*n > static_cast<std::uint64_t>(INT64_MAX)) return std::unexpected("integer range");
        return json(-1 - static_cast<std::int64_t>(*n));
      case 2:
      case 3: {
        if (*n > in_.size() - pos_) return std::unexpected("truncated string");
        std::string s(in_.substr(pos_, *n));
        pos_ += *n;
        if (major == 3 && !valid_utf8(s)) return std::unexpected("text is not UTF-8");
        return json(std::move(s));
      }
      case 4: {
        if (*n > in_.size() - pos_) return std::unexpected("truncated array");
        json a = json::array();
        for (std::uint64_t i = 0; i < *n; ++i) {
          auto v = item(depth + 1);
          if (!v) return v;
          a.push_back(std::move(*v));
        }
        return a;
      }
      case 5: {
        if (*n > in_.size() - pos_) return std::unexpected("truncated map");
        json m = json::object();
        for (std::uint64_t i = 0; i < *n; ++i) {
          auto k = item(depth + 1);
          if (!k) return k;
          if (!k->is_string()) return std::unexpected("a map key that is not text");
          auto v = item(depth + 1);
          if (!v) return v;
          m[k->get<std::string>()] = std::move(*v);
        }
        return m;
      }
      default:  // 6: a tag (1: epoch seconds); the value is what the input means
        return item(depth + 1);
    }
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::expected<std::uint64_t, std::string> argument(int info) {
    if (info < 24) return static_cast<std::uint64_t>(info);
    if (info > 27) return std::unexpected("indefinite or reserved length");
    const std::size_t bytes = std::size_t{1} << (info - 24);
    if (bytes > in_.size() - pos_) return std::unexpected("truncated");
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in_[pos_++]);
    return v;
  }
  std::expected<json, std::string> simple(int info) {
    switch (info) {
      case 20:
        return json(false);
      case 21:
        return json(true);
      case 22:
      case 23:
        return json(nullptr);
      case 25: {  // half float
        auto h = argument(25);
        if (!h) return std::unexpected(h.error());
        const int e = static_cast<int>((*h >> 10) & 0x1f);
        const double m = static_cast<double>(*h & 0x3ff);
        double v = e == 0    ? std::ldexp(m, -24)
                   : e == 31 ? (m == 0 ? INFINITY : NAN)
                             : std::ldexp(m + 1024, e - 25);
        return json((*h & 0x8000) ? -v : v);
      }
      case 26: {
        auto f = argument(26);
        if (!f) return std::unexpected(f.error());
        return json(static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(*f))));
      }
      case 27: {
        auto d = argument(27);
        if (!d) return std::unexpected(d.error());
        return json(std::bit_cast<double>(*d));
      }
      default:
        return std::unexpected("an unknown simple value");
    }
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

std::expected<nlohmann::json, std::string> decode(std::string_view bytes) {
  Reader r(bytes);
  auto v = r.item();
  if (v && !r.done()) return std::unexpected("bytes after the item");
  return v;
}

}  // namespace dr::lab_aws::cbor
