#include "slo/evaluation_store.h"

namespace tollgate::slo {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS slo_evaluations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slo_key TEXT NOT NULL,
  source TEXT NOT NULL,
  evaluated_at TEXT NOT NULL,
  result TEXT NOT NULL,
  score REAL NOT NULL,
  invalidated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS slo_evaluations_key ON slo_evaluations(slo_key, id);
CREATE TABLE IF NOT EXISTS slo_values (
  evaluation_id INTEGER NOT NULL REFERENCES slo_evaluations(id) ON DELETE CASCADE,
  sli TEXT NOT NULL,
  value REAL,
  result TEXT NOT NULL,
  PRIMARY KEY (evaluation_id, sli)
);
)sql";

std::string result_filter(IncludeResults include) {
  switch (include) {
    case IncludeResults::All:
      return "('pass', 'warning', 'fail')";
    case IncludeResults::Pass:
      return "('pass')";
    case IncludeResults::PassOrWarn:
      return "('pass', 'warning')";
  }
  return "('pass')";
}

}  // namespace

EvaluationStore::EvaluationStore(db::Database& db) : db_(db) {
  db_.exec(kSchema);
}

std::vector<int64_t> EvaluationStore::previous_ids(const std::string& key,
                                                   const Comparison& comparison) const {
  db::Statement s(db_.handle(),
                  "SELECT id FROM slo_evaluations WHERE slo_key = ? AND invalidated = 0 "
                  "AND result IN " +
                      result_filter(comparison.include) + " ORDER BY id DESC LIMIT ?");
  s.bind(1, key).bind(2, static_cast<int64_t>(comparison.number_of_results));
  std::vector<int64_t> ids;
  while (s.step())
    ids.push_back(s.column_int(0));
  return ids;
}

int EvaluationStore::count_previous(const std::string& key, const Comparison& comparison) const {
  return static_cast<int>(previous_ids(key, comparison).size());
}

PreviousValues EvaluationStore::previous(const std::string& key,
                                         const Comparison& comparison) const {
  PreviousValues out;
  db::Statement s(db_.handle(),
                  "SELECT sli, value FROM slo_values WHERE evaluation_id = ? AND value IS "
                  "NOT NULL");
  for (int64_t id : previous_ids(key, comparison)) {
    s.reset();
    s.bind(1, id);
    while (s.step())
      out[s.column_text(0)].push_back(s.column_double(1));
  }
  return out;
}

int64_t EvaluationStore::record(const std::string& key, const std::string& source,
                                const std::string& when, const Evaluation& evaluation) {
  db::Transaction tx(db_);
  db::Statement e(db_.handle(),
                  "INSERT INTO slo_evaluations (slo_key, source, evaluated_at, result, score) "
                  "VALUES (?, ?, ?, ?, ?)");
  e.bind(1, key).bind(2, source).bind(3, when).bind(4, to_string(evaluation.result));
  e.bind(5, evaluation.percent);
  e.run();
  int64_t id = db_.last_insert_id();
  db::Statement v(db_.handle(),
                  "INSERT OR REPLACE INTO slo_values (evaluation_id, sli, value, result) "
                  "VALUES (?, ?, ?, ?)");
  for (const auto& r : evaluation.objectives) {
    v.reset();
    v.bind(1, id).bind(2, r.objective->sli).bind(4, to_string(r.result));
    if (r.value)
      v.bind(3, *r.value);
    else
      v.bind_null(3);
    v.run();
  }
  tx.commit();
  return id;
}

}  // namespace tollgate::slo
