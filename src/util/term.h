#pragma once

#include <string>
#include <string_view>

namespace tollgate::term {

enum class ColorMode { Auto, Always, Never };

// Whether a stream is a terminal (fd 1 or 2).
bool is_tty(int fd);
// Decides colour once for the process: --color wins, then NO_COLOR, then whether stdout is a tty.
void set_color_mode(ColorMode mode);
ColorMode color_mode();
// Asked once per fd and remembered (a table paints thousands of cells, and whether stdout is a
// terminal does not change while tollgate runs).
bool color_enabled(int fd = 1);

// Colour off while text is rendered for a file: escape codes belong on a terminal, not in a
// report on disk, unless the user asked for them (--color always). Restores the mode when it goes.
class NoColorScope {
 public:
  NoColorScope() : saved_(color_mode()) {
    if (saved_ == ColorMode::Auto) set_color_mode(ColorMode::Never);
  }
  ~NoColorScope() { set_color_mode(saved_); }
  NoColorScope(const NoColorScope&) = delete;
  NoColorScope& operator=(const NoColorScope&) = delete;

 private:
  ColorMode saved_;
};
// Terminal width of fd, 80 when unknown.
int width(int fd = 2);

enum class Color { Red, Green, Yellow, Blue, Magenta, Cyan, Gray, Bold };
// Wraps text in the colour's escape codes when colour is enabled for fd.
std::string paint(Color c, std::string_view text, int fd = 1);
// Printable width of a string that may hold escape codes and UTF-8.
size_t visible_width(std::string_view s);

}  // namespace tollgate::term
