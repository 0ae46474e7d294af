#include "pipeline/expression.h"

#include <re2/re2.h>

#include <cctype>
#include <memory>

namespace tollgate::pipeline {
namespace {

enum class TokenKind {
  Variable,
  String,
  Regex,
  Null,
  Eq,
  Ne,
  Match,
  NoMatch,
  And,
  Or,
  LParen,
  RParen,
  End
};

struct Token {
  TokenKind kind;
  std::string text;   // variable name, string value, or regex source
  std::string flags;  // regex flags
  size_t column;      // 0-based offset in the expression
};

// A value an operand evaluates to: a string, or null (an undefined variable or `null`).
struct Value {
  std::optional<std::string> text;
  bool is_regex = false;
  std::string flags;
};

class Parser {
 public:
  Parser(std::string_view expr, const VariableLookup& lookup, const SourceLocation& where)
      : expr_(expr), lookup_(lookup), where_(where) {
    tokenize();
  }

  bool parse() {
    bool v = parse_or();
    if (peek().kind != TokenKind::End) fail(peek().column, "unexpected '" + describe(peek()) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(size_t column, const std::string& what) const {
    SourceLocation at = where_;
    if (at.known() && at.column > 0) at.column += static_cast<int>(column);
    throw Error(at, "in expression '" + std::string(expr_) + "' at column " +
                        std::to_string(column + 1) + ": " + what);
  }

  static std::string describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::End:
        return "end of expression";
      case TokenKind::Eq:
        return "==";
      case TokenKind::Ne:
        return "!=";
      case TokenKind::Match:
        return "=~";
      case TokenKind::NoMatch:
        return "!~";
      case TokenKind::And:
        return "&&";
      case TokenKind::Or:
        return "||";
      case TokenKind::LParen:
        return "(";
      case TokenKind::RParen:
        return ")";
      case TokenKind::Null:
        return "null";
      case TokenKind::Variable:
        return "$" + t.text;
      default:
        return t.text;
    }
  }

  void tokenize() {
    size_t i = 0;
    while (i < expr_.size()) {
      char c = expr_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      size_t start = i;
      auto two = expr_.substr(i, 2);
      if (two == "==")
        tokens_.push_back({TokenKind::Eq, "", "", start}), i += 2;
      else if (two == "!=")
        tokens_.push_back({TokenKind::Ne, "", "", start}), i += 2;
      else if (two == "=~")
        tokens_.push_back({TokenKind::Match, "", "", start}), i += 2;
      else if (two == "!~")
        tokens_.push_back({TokenKind::NoMatch, "", "", start}), i += 2;
      else if (two == "&&")
        tokens_.push_back({TokenKind::And, "", "", start}), i += 2;
      else if (two == "||")
        tokens_.push_back({TokenKind::Or, "", "", start}), i += 2;
      else if (c == '(')
        tokens_.push_back({TokenKind::LParen, "", "", start}), ++i;
      else if (c == ')')
        tokens_.push_back({TokenKind::RParen, "", "", start}), ++i;
      else if (c == '$') {
        ++i;
        // GitLab's lexer reads $NAME only; ${NAME}, fine in a script, is a syntax error here.
        bool braced = i < expr_.size() && expr_[i] == '{';
        size_t name_start = braced ? i + 1 : i;
        i = name_start;
        while (i < expr_.size() &&
               (std::isalnum(static_cast<unsigned char>(expr_[i])) || expr_[i] == '_'))
          ++i;
        std::string name(expr_.substr(name_start, i - name_start));
        if (braced)
          fail(start,
               "'${" + name + "}' is not valid in an expression: GitLab reads $" + name + " only");
        if (name.empty()) fail(start, "'$' must be followed by a variable name");
        tokens_.push_back({TokenKind::Variable, name, "", start});
      } else if (c == '"' || c == '\'') {
        ++i;
        std::string value;
        while (i < expr_.size() && expr_[i] != c) {
          if (expr_[i] == '\\' && i + 1 < expr_.size() &&
              (expr_[i + 1] == c || expr_[i + 1] == '\\'))
            ++i;
          value += expr_[i++];
        }
        if (i >= expr_.size()) fail(start, "unterminated string");
        ++i;
        tokens_.push_back({TokenKind::String, value, "", start});
      } else if (c == '/') {
        ++i;
        std::string source;
        while (i < expr_.size() && expr_[i] != '/') {
          if (expr_[i] == '\\' && i + 1 < expr_.size()) {
            if (expr_[i + 1] != '/') source += '\\';
            ++i;
          }
          source += expr_[i++];
        }
        if (i >= expr_.size()) fail(start, "unterminated regular expression (missing closing '/')");
        ++i;
        std::string flags;
        while (i < expr_.size() && std::isalpha(static_cast<unsigned char>(expr_[i])))
          flags += expr_[i++];
        tokens_.push_back({TokenKind::Regex, source, flags, start});
      } else if (expr_.substr(i, 4) == "null" &&
                 (i + 4 == expr_.size() ||
                  !std::isalnum(static_cast<unsigned char>(expr_[i + 4])))) {
        tokens_.push_back({TokenKind::Null, "", "", start});
        i += 4;
      } else {
        fail(start, std::string("unexpected character '") + c +
                        "' (variables start with '$', strings are quoted, patterns are /re/)");
      }
    }
    tokens_.push_back({TokenKind::End, "", "", expr_.size()});
  }

  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  bool parse_or() {
    bool v = parse_and();
    while (peek().kind == TokenKind::Or) {
      next();
      bool rhs = parse_and();
      v = v || rhs;
    }
    return v;
  }

  bool parse_and() {
    bool v = parse_primary();
    while (peek().kind == TokenKind::And) {
      next();
      bool rhs = parse_primary();
      v = v && rhs;
    }
    return v;
  }

  bool parse_primary() {
    if (peek().kind == TokenKind::LParen) {
      size_t col = next().column;
      // Each '(' is a level of recursion: a hostile file must not overflow the stack.
      if (++depth_ > kMaxDepth)
        fail(col, "parentheses nest deeper than " + std::to_string(kMaxDepth) + " levels");
      bool v = parse_or();
      --depth_;
      if (peek().kind != TokenKind::RParen) fail(col, "'(' is never closed");
      next();
      return v;
    }
    Token left_token = peek();
    Value left = operand();
    TokenKind op = peek().kind;
    if (op != TokenKind::Eq && op != TokenKind::Ne && op != TokenKind::Match &&
        op != TokenKind::NoMatch) {
      if (left_token.kind != TokenKind::Variable)
        fail(left_token.column, "a lone " + describe(left_token) +
                                    " is not a condition (compare it with ==, !=, =~ or !~)");
      return left.text.has_value() && !left.text->empty();
    }
    next();
    Token right_token = peek();
    Value right = operand();
    if (op == TokenKind::Eq || op == TokenKind::Ne) {
      if (right.is_regex) fail(right_token.column, "use =~ or !~ to compare with a pattern");
      bool equal = left.text == right.text;
      return op == TokenKind::Eq ? equal : !equal;
    }
    // GitLab: a pattern variable that is not defined matches nothing (=~ false, !~ true).
    if (right_token.kind == TokenKind::Variable && !right.text) return op == TokenKind::NoMatch;
    if (!right.is_regex) {
      // A variable may hold a pattern written as /re/flags.
      if (right.text && right.text->size() >= 2 && right.text->front() == '/') {
        size_t close = right.text->rfind('/');
        if (close > 0) {
          right.flags = right.text->substr(close + 1);
          right.text = right.text->substr(1, close - 1);
          right.is_regex = true;
        }
      }
      if (!right.is_regex) fail(right_token.column, "=~ and !~ need a /pattern/ on the right");
    }
    // The pattern is compiled even when the left side is undefined, so a bad pattern is always
    // reported rather than only on the runs where the variable happens to be set.
    bool matched = false;
    {
      RE2::Options options;
      options.set_log_errors(false);
      bool multiline = false, dotall = false;
      for (char f : right.flags) {
        if (f == 'i')
          options.set_case_sensitive(false);
        else if (f == 'm')
          multiline = true;
        else if (f == 's')
          dotall = true;
        else
          fail(right_token.column, std::string("unknown pattern flag '") + f + "'");
      }
      std::string source = *right.text;
      if (multiline || dotall)
        source = std::string("(?") + (multiline ? "m" : "") + (dotall ? "s" : "") + ")" + source;
      RE2 re(source, options);
      if (!re.ok())
        fail(right_token.column, "invalid pattern /" + *right.text + "/: " + re.error());
      matched = left.text && RE2::PartialMatch(*left.text, re);
    }
    return op == TokenKind::Match ? matched : !matched;
  }

  Value operand() {
    const Token& t = next();
    switch (t.kind) {
      case TokenKind::Variable:
        return Value{lookup_(t.text)};
      case TokenKind::String:
        return Value{t.text};
      case TokenKind::Null:
        return Value{std::nullopt};
      case TokenKind::Regex:
        return Value{t.text, true, t.flags};
      default:
        fail(t.column,
             "expected a variable, a string, a /pattern/ or null, got '" + describe(t) + "'");
    }
  }

  std::string_view expr_;
  const VariableLookup& lookup_;
  const SourceLocation& where_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  static constexpr int kMaxDepth = 100;
};

}  // namespace

bool evaluate_expression(std::string_view expr, const VariableLookup& lookup,
                         const SourceLocation& where) {
  Parser parser(expr, lookup, where);
  return parser.parse();
}

}  // namespace tollgate::pipeline
