#include "web/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "web/html.h"

namespace tollgate::web {
namespace {

constexpr int kBoxWidth = 200;
constexpr int kBoxHeight = 46;
constexpr int kColumnGap = 56;
constexpr int kRowGap = 14;
constexpr int kHeader = 34;
constexpr int kMargin = 8;
constexpr size_t kNameChars = 24;

struct Box {
  int x = 0;
  int y = 0;
};

// Columns in the pipeline's stage order; a stage no job is in gets no column, and a job whose
// stage the run did not record (an old history) gets one after the others.
std::vector<std::string> columns(const std::vector<std::string>& stages,
                                 const std::vector<history::JobRecord>& jobs) {
  std::vector<std::string> out;
  auto used = [&](const std::string& s) {
    return std::any_of(jobs.begin(), jobs.end(), [&](const auto& j) { return j.stage == s; });
  };
  for (const auto& s : stages)
    if (used(s)) out.push_back(s);
  for (const auto& j : jobs)
    if (std::find(out.begin(), out.end(), j.stage) == out.end()) out.push_back(j.stage);
  return out;
}

std::string short_name(const std::string& name) {
  if (name.size() <= kNameChars) return name;
  return name.substr(0, kNameChars - 1) + "…";
}

std::string job_box(int64_t run_id, const history::JobRecord& j, Box b) {
  std::string label = j.status;
  if (j.duration_s > 0) label += " · " + duration_text(j.duration_s);
  if (j.allow_failure) label += " · allowed";
  return fmt::format(
      "<a href=\"/runs/{}/jobs/{}\"><g class=\"job status-{}\" data-job=\"{}\" "
      "data-status=\"{}\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
      "rx=\"8\"/><circle cx=\"{}\" cy=\"{}\" r=\"6\"/><text x=\"{}\" y=\"{}\" "
      "class=\"name\">{}</text><text x=\"{}\" y=\"{}\" class=\"meta\">{}</text></g></a>",
      run_id, str::url_encode(j.name), escape(j.status), escape(j.name), escape(j.status),
      escape(j.name + " (" + j.status + ")"), b.x, b.y, kBoxWidth, kBoxHeight, b.x + 16,
      b.y + kBoxHeight / 2, b.x + 30, b.y + 19, escape(short_name(j.name)), b.x + 30, b.y + 36,
      escape(label));
}

std::string arrow(Box from, Box to) {
  int x1 = from.x + kBoxWidth, y1 = from.y + kBoxHeight / 2;
  int x2 = to.x - 4, y2 = to.y + kBoxHeight / 2;
  int bend = std::max(24, (x2 - x1) / 2);
  return fmt::format(
      "<path class=\"need\" d=\"M{} {} C{} {} {} {} {} {}\" marker-end=\"url(#arrow)\"/>", x1, y1,
      x1 + bend, y1, x2 - bend, y2, x2, y2);
}

}  // namespace

std::string render_graph(int64_t run_id, const std::vector<std::string>& stages,
                         const std::vector<history::JobRecord>& jobs) {
  std::vector<std::string> cols = columns(stages, jobs);
  std::map<std::string, Box> boxes;
  std::vector<int> rows(cols.size(), 0);
  std::string body, heads;
  for (size_t c = 0; c < cols.size(); ++c)
    heads +=
        fmt::format("<text class=\"stage\" x=\"{}\" y=\"{}\">{}</text>",
                    kMargin + static_cast<int>(c) * (kBoxWidth + kColumnGap), 20, escape(cols[c]));
  for (const auto& j : jobs) {
    size_t c = std::find(cols.begin(), cols.end(), j.stage) - cols.begin();
    Box b{kMargin + static_cast<int>(c) * (kBoxWidth + kColumnGap),
          kHeader + rows[c]++ * (kBoxHeight + kRowGap)};
    boxes[j.name] = b;
    body += job_box(run_id, j, b);
  }
  std::string arrows;
  for (const auto& j : jobs)
    for (const auto& need : j.needs)
      if (auto from = boxes.find(need); from != boxes.end())
        arrows += arrow(from->second, boxes[j.name]);
  int most = rows.empty() ? 0 : *std::max_element(rows.begin(), rows.end());
  int width = kMargin * 2 + static_cast<int>(cols.size()) * (kBoxWidth + kColumnGap) - kColumnGap;
  int height = kHeader + most * (kBoxHeight + kRowGap) + kMargin;
  return fmt::format(
      "<svg class=\"graph\" role=\"img\" aria-label=\"pipeline graph\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" "
      "refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path "
      "d=\"M0 0 L10 5 L0 10 z\"/></marker></defs>{2}{3}{4}</svg>",
      std::max(width, 0), height, heads, arrows, body);
}

}  // namespace tollgate::web
