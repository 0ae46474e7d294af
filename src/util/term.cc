#include "util/term.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace tollgate::term {
namespace {
std::atomic<ColorMode> g_mode{ColorMode::Auto};
// Per fd 0..2 in Auto mode: -1 not asked yet, else 0 or 1.
std::atomic<int> g_auto[3] = {-1, -1, -1};

bool auto_color(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return is_tty(fd);
}
}  // namespace

bool is_tty(int fd) {
  return isatty(fd) == 1;
}

void set_color_mode(ColorMode mode) {
  g_mode = mode;
}

ColorMode color_mode() {
  return g_mode;
}

bool color_enabled(int fd) {
  ColorMode mode = g_mode;
  if (mode == ColorMode::Always) return true;
  if (mode == ColorMode::Never) return false;
  if (fd < 0 || fd > 2) return auto_color(fd);
  int known = g_auto[fd];
  if (known < 0) {
    known = auto_color(fd) ? 1 : 0;
    g_auto[fd] = known;
  }
  return known == 1;
}

int width(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string paint(Color c, std::string_view text, int fd) {
  if (!color_enabled(fd)) return std::string(text);
  const char* code = "";
  switch (c) {
    case Color::Red:
      code = "\033[31m";
      break;
    case Color::Green:
      code = "\033[32m";
      break;
    case Color::Yellow:
      code = "\033[33m";
      break;
    case Color::Blue:
      code = "\033[34m";
      break;
    case Color::Magenta:
      code = "\033[35m";
      break;
    case Color::Cyan:
      code = "\033[36m";
      break;
    case Color::Gray:
      code = "\033[90m";
      break;
    case Color::Bold:
      code = "\033[1m";
      break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

size_t visible_width(std::string_view s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b) {
      while (i < s.size() && !(s[i] >= '@' && s[i] <= '~' && s[i] != '['))
        ++i;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++w;  // count UTF-8 lead bytes only
  }
  return w;
}

}  // namespace tollgate::term
