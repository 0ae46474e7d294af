#pragma once

#include <string>
#include <string_view>

namespace tollgate::term {

enum class ColorMode { Auto, Always, Never };

// Whether a stream is a terminal (fd 1 or 2).
bool is_tty(int fd);
// Decides colour once for the process: --color wins, then NO_COLOR, then whether stdout is a tty.
void set_color_mode(ColorMode mode);
bool color_enabled(int fd = 1);
// Terminal width of fd, 80 when unknown.
int width(int fd = 2);

enum class Color { Red, Green, Yellow, Blue, Magenta, Cyan, Gray, Bold };
// Wraps text in the colour's escape codes when colour is enabled for fd.
std::string paint(Color c, std::string_view text, int fd = 1);
// Printable width of a string that may hold escape codes and UTF-8.
size_t visible_width(std::string_view s);

}  // namespace tollgate::term
