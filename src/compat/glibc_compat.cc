// Linked into `bootstrap` and `dr-app` (the executables we ship), so that they run on Amazon Linux
// 2023 (glibc 2.34) although it is built on Debian 12 (glibc 2.36) with libstdc++ and libgcc linked
// in statically. Those static archives were built against glibc 2.36 and call two functions newer
// than 2.34:
// - arc4random (GLIBC_2.36), from std::random_device;
// - _dl_find_object (GLIBC_2.35), from libgcc's unwinder, to find the unwind tables of the
//   object an exception passes through.
// Defining them here binds those calls to these definitions at link time, so the executable
// needs no GLIBC version above 2.34 (scripts/package.py checks it; `bootstrap --self-test`
// exercises both). Each does what glibc's does, with calls glibc 2.34 has.
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdint>

extern "C" {

uint32_t arc4random() noexcept {
  uint32_t value = 0;
  for (;;) {
    ssize_t n = getrandom(&value, sizeof value, 0);  // GLIBC_2.25; blocks only before boot entropy
    if (n == static_cast<ssize_t>(sizeof value)) return value;
    if (n < 0 && errno != EINTR) abort();  // as glibc's: no silent weak randomness
  }
}

namespace {

struct Search {
  uintptr_t pc;
  dl_find_object* result;
  bool found;
};

int find_object(dl_phdr_info* info, size_t, void* data) {
  auto* s = static_cast<Search*>(data);
  uintptr_t low = UINTPTR_MAX, high = 0;
  bool contains = false;
  void* eh_frame = nullptr;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD) {
      const uintptr_t end = start + ph.p_memsz;
      if (start < low) low = start;
      if (end > high) high = end;
      if (s->pc >= start && s->pc < end) contains = true;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      eh_frame = reinterpret_cast<void*>(start);
    }
  }
  if (!contains) return 0;
  *s->result = dl_find_object{};
  s->result->dlfo_map_start = reinterpret_cast<void*>(low);
  s->result->dlfo_map_end = reinterpret_cast<void*>(high);
  s->result->dlfo_link_map = nullptr;
  // The PT_GNU_EH_FRAME segment (.eh_frame_hdr), as glibc reports it.
  s->result->dlfo_eh_frame = eh_frame;
  s->found = true;
  return 1;
}

}  // namespace

int _dl_find_object(void* address, dl_find_object* result) noexcept {
  Search s{reinterpret_cast<uintptr_t>(address), result, false};
  dl_iterate_phdr(find_object, &s);  // GLIBC_2.2.5
  return s.found ? 0 : -1;
}

}  // extern "C"
