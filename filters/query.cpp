#include "filters/query.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "feeds/language_tag.hpp"
#include "filters/normaliser.hpp"

namespace newswatch::filters::query {
namespace {

enum class Tok { end, lparen, rparen, comma, colon, star, caret, eq, at, word, phrase, op_and, op_or, op_not, near };

struct Token {
  Tok kind = Tok::end;
  std::string_view text;  // a word, a phrase's inside, an entity id, "NEAR/5"
  std::size_t column = 0;
  bool glued = false;  // no whitespace between the previous token and this one
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_punct(char c) { return c == '(' || c == ')' || c == '"' || c == ',' || c == ':' || c == '*' || c == '^'; }
bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::end:
      return "end of query";
    case Tok::lparen:
      return "'('";
    case Tok::rparen:
      return "')'";
    case Tok::comma:
      return "','";
    case Tok::colon:
      return "':'";
    case Tok::star:
      return "'*'";
    case Tok::caret:
      return "'^'";
    case Tok::eq:
      return "'='";
    case Tok::at:
      return "'@" + std::string(t.text) + "'";
    case Tok::phrase:
      return "phrase \"" + std::string(t.text) + "\"";
    case Tok::op_and:
    case Tok::op_or:
    case Tok::op_not:
    case Tok::near:
      return "'" + std::string(t.text) + "'";
    case Tok::word:
      return "'" + std::string(t.text) + "'";
  }
  return "?";
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Result<std::vector<Token>, ParseError> run() {
    std::vector<Token> out;
    bool glued = false;
    while (true) {
      const std::size_t before = i_;
      while (i_ < s_.size() && is_space(s_[i_]))
        advance(1);
      glued = !out.empty() && i_ == before;
      Token t;
      t.column = col_;
      t.glued = glued;
      if (i_ >= s_.size()) {
        t.kind = Tok::end;
        out.push_back(t);
        return out;
      }
      const char c = s_[i_];
      if (c == '"') {
        const std::size_t close = s_.find('"', i_ + 1);
        if (close == std::string_view::npos) {
          return ParseError{t.column, "unterminated phrase: expected a closing '\"', found end of query"};
        }
        t.kind = Tok::phrase;
        t.text = s_.substr(i_ + 1, close - i_ - 1);
        advance(close + 1 - i_);
      } else if (is_punct(c)) {
        t.kind = c == '('   ? Tok::lparen
                 : c == ')' ? Tok::rparen
                 : c == ',' ? Tok::comma
                 : c == ':' ? Tok::colon
                 : c == '^' ? Tok::caret
                            : Tok::star;
        t.text = s_.substr(i_, 1);
        advance(1);
      } else if (c == '=') {
        t.kind = Tok::eq;
        t.text = s_.substr(i_, 1);
        advance(1);
      } else if (c == '@') {
        std::size_t j = i_ + 1;
        while (j < s_.size() && is_id_char(s_[j]))
          ++j;
        t.kind = Tok::at;
        t.text = s_.substr(i_ + 1, j - i_ - 1);
        advance(j - i_);
      } else {
        std::size_t j = i_;
        while (j < s_.size() && !is_space(s_[j]) && !is_punct(s_[j]))
          ++j;
        t.text = s_.substr(i_, j - i_);
        t.kind = t.text == "AND"                                       ? Tok::op_and
                 : t.text == "OR"                                      ? Tok::op_or
                 : t.text == "NOT"                                     ? Tok::op_not
                 : (t.text == "NEAR" || t.text.rfind("NEAR/", 0) == 0) ? Tok::near
                                                                       : Tok::word;
        advance(j - i_);
      }
      out.push_back(t);
    }
  }

 private:
  void advance(std::size_t bytes) {
    for (std::size_t k = 0; k < bytes; ++k, ++i_) {
      if ((static_cast<unsigned char>(s_[i_]) & 0xC0) != 0x80) ++col_;
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::size_t col_ = 0;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<std::vector<WeightedTerm>, ParseError> run_rank() {
    std::vector<WeightedTerm> out;
    if (peek().kind == Tok::end) return fail(peek(), "empty rank: expected weighted terms such as coup^4");
    while (peek().kind != Tok::end && !error_) {
      const Token& start = peek();
      if (start.kind == Tok::op_and || start.kind == Tok::op_or || start.kind == Tok::op_not ||
          start.kind == Tok::near || start.kind == Tok::lparen) {
        return fail(start,
                    "a rank lists terms with weights (coup^4 junta^4); " + describe(start) + " belongs in the query");
      }
      Node n = parse_scoped();
      if (error_) return *error_;
      auto* term = std::get_if<Term>(&n.v);
      if (term == nullptr) return fail(start, "expected a term in the rank, found " + describe(start));
      WeightedTerm wt{std::move(*term), 1};
      if (peek().kind == Tok::caret) {
        const Token& caret = next();
        if (!caret.glued) return fail(caret, "expected '^' right after the term, found a space");
        const Token& num = peek();
        if (num.kind != Tok::word || !num.glued) {
          return fail(num, "expected a weight right after '^', found " +
                               (num.glued || num.kind == Tok::end ? describe(num) : std::string("a space")));
        }
        next();
        const std::string digits(num.text);
        char* end = nullptr;
        const double w = std::strtod(digits.c_str(), &end);
        if (end != digits.c_str() + digits.size() || !(std::abs(w) <= kMaxWeight) || digits.empty() ||
            !(std::isdigit(static_cast<unsigned char>(digits.back())) != 0)) {
          return fail(num, "expected a number as the weight (4, -10, 2.5), found '" + digits + "'");
        }
        wt.weight = w;
      } else if (peek().kind != Tok::end && peek().glued) {
        return fail(peek(), "expected a space or '^' after the term, found " + describe(peek()));
      }
      if (out.size() >= kMaxRankTerms) {
        return fail(start, "a rank holds at most " + std::to_string(kMaxRankTerms) + " terms");
      }
      out.push_back(std::move(wt));
    }
    if (error_) return *error_;
    return out;
  }

  Result<Node, ParseError> run() {
    if (peek().kind == Tok::end) return fail(peek(), "empty query: expected a term");
    auto node = parse_or();
    if (error_) return *error_;
    if (peek().kind == Tok::rparen) return fail(peek(), "unexpected ')' without a matching '('");
    if (peek().kind != Tok::end)
      return fail(peek(), "expected AND, OR, NOT, a term or end of query, found " + describe(peek()));
    if (error_) return *error_;
    return node;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const { return t_[std::min(p_ + ahead, t_.size() - 1)]; }
  const Token& next() {
    const Token& t = t_[p_];
    if (p_ + 1 < t_.size()) ++p_;
    return t;
  }

  ParseError fail(const Token& at, std::string message) {
    if (!error_) error_ = ParseError{at.column, std::move(message)};
    return *error_;
  }

  bool starts_term(const Token& t) const {
    switch (t.kind) {
      case Tok::lparen:
      case Tok::eq:
      case Tok::at:
      case Tok::word:
      case Tok::phrase:
      case Tok::op_not:
      case Tok::near:
        return true;
      default:
        return false;
    }
  }

  Node parse_or() {
    Or alt;
    alt.children.push_back(parse_and());
    while (!error_ && peek().kind == Tok::op_or) {
      next();
      if (!starts_term(peek())) {
        fail(peek(), "expected a term after OR, found " + describe(peek()));
        break;
      }
      alt.children.push_back(parse_and());
    }
    if (alt.children.size() == 1) return std::move(alt.children.front());
    return Node{std::move(alt)};
  }

  Node parse_and() {
    And all;
    all.children.push_back(parse_unary());
    while (!error_) {
      if (peek().kind == Tok::op_and) {
        next();
        if (!starts_term(peek())) {
          fail(peek(), "expected a term after AND, found " + describe(peek()));
          break;
        }
      } else if (!starts_term(peek())) {
        break;
      }
      all.children.push_back(parse_unary());
    }
    if (all.children.size() == 1) return std::move(all.children.front());
    return Node{std::move(all)};
  }

  Node parse_unary() {
    if (++depth_ > kMaxDepth) {
      fail(peek(), "query nests too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
      return {};
    }
    Node result;
    if (peek().kind == Tok::op_not) {
      next();
      if (!starts_term(peek())) {
        fail(peek(), "expected a term after NOT, found " + describe(peek()));
      } else {
        Not n;
        n.child.push_back(parse_unary());
        result = Node{std::move(n)};
      }
    } else {
      result = parse_scoped();
    }
    --depth_;
    return result;
  }

  // field:primary. A scope applies to every term inside it that has none of its own.
  Node parse_scoped() {
    if (peek().kind == Tok::word && peek(1).kind == Tok::colon && peek().text == "lang") return parse_lang();
    if (peek().kind == Tok::word && peek(1).kind == Tok::colon) {
      const Token& name = next();
      next();
      std::uint8_t bits = 0;
      if (name.text == "title") {
        bits = kTitle;
      } else if (name.text == "summary") {
        bits = kSummary;
      } else if (name.text == "content") {
        bits = kContent;
      } else {
        fail(name, "unknown field '" + std::string(name.text) + "': expected title, summary, content or lang");
        return {};
      }
      if (!starts_term(peek()) || peek().kind == Tok::op_not) {
        fail(peek(), "expected a term after '" + std::string(name.text) + ":', found " + describe(peek()));
        return {};
      }
      if (peek().kind == Tok::word && peek(1).kind == Tok::colon && peek().text == "lang") {
        fail(peek(), "lang: is about the whole item; it takes no field scope");
        return {};
      }
      Node inner = parse_primary();
      apply_scope(inner, bits);
      return inner;
    }
    return parse_primary();
  }

  // lang:xx, a language code as docs/languages.md lists them.
  Node parse_lang() {
    const Token& name = next();
    next();  // ':'
    const Token& code = peek();
    if (code.kind != Tok::word || !code.glued) {
      fail(code.glued ? code : name, "expected a language code right after 'lang:', as in lang:fr, found " +
                                         (code.glued || code.kind == Tok::end ? describe(code) : "a space"));
      return {};
    }
    next();
    if (!feeds::is_language_code(code.text)) {
      fail(code, feeds::language_code_problem(code.text));
      return {};
    }
    Term term;
    term.language = std::string(code.text);
    term.written = "lang:" + term.language;
    term.column = name.column;
    return Node{std::move(term)};
  }

  static void apply_scope(Node& n, std::uint8_t bits) {
    std::visit(
        [bits](auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, Term>) {
            if (v.fields == kAllFields) v.fields = bits;
          } else if constexpr (std::is_same_v<V, Not>) {
            for (auto& c : v.child)
              apply_scope(c, bits);
          } else if constexpr (std::is_same_v<V, Near>) {
            for (auto& c : v.operands)
              apply_scope(c, bits);
          } else {
            for (auto& c : v.children)
              apply_scope(c, bits);
          }
        },
        n.v);
  }

  Node parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::lparen: {
        next();
        Node inner = parse_or();
        if (error_) return {};
        if (peek().kind != Tok::rparen) {
          fail(peek(), "expected ')' to close '(', found " + describe(peek()));
          return {};
        }
        next();
        return inner;
      }
      case Tok::near:
        return parse_near();
      case Tok::eq: {
        const Token& eq = next();
        const Token& what = peek();
        if (!what.glued || (what.kind != Tok::word && what.kind != Tok::phrase)) {
          fail(what.glued ? what : eq, "expected a word or phrase right after '=', found " +
                                           (what.glued || what.kind == Tok::end ? describe(what) : "a space"));
          return {};
        }
        return parse_term(true);
      }
      case Tok::at: {
        next();
        if (t.text.empty()) {
          fail(t, "expected an entity id right after '@', found " +
                      (peek().glued ? describe(peek()) : std::string("a space")));
          return {};
        }
        Term term;
        term.written = "@" + std::string(t.text);
        term.entity = std::string(t.text);
        term.column = t.column;
        if (peek().kind == Tok::star && peek().glued) {
          fail(peek(), "a prefix '*' applies to a single word, not to an entity");
          return {};
        }
        return Node{std::move(term)};
      }
      case Tok::word:
      case Tok::phrase:
        return parse_term(false);
      case Tok::rparen:
        fail(t, "expected a term, found ')'");
        return {};
      default:
        fail(t, "expected a term, '(' or NOT, found " + describe(t));
        return {};
    }
  }

  Node parse_term(bool exact) {
    const Token& t = next();
    Term term;
    term.exact = exact;
    term.column = t.column;
    term.written = std::string(t.text);
    term.words = term_words(t.text, exact);
    if (term.words.empty()) {
      fail(t, "expected a term with letters or digits, found " + describe(t));
      return {};
    }
    if (peek().kind == Tok::star && peek().glued) {
      const Token& star = next();
      if (t.kind == Tok::phrase) {
        fail(star, "a prefix '*' applies to a single word, not to a phrase");
        return {};
      }
      if (term.words.size() != 1) {
        fail(t, "a prefix '*' applies to a single word; '" + std::string(t.text) + "' is several words");
        return {};
      }
      std::size_t cps = 0;
      for (const char c : term.words.front())
        cps += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
      if (cps < kMinPrefixLength) {
        fail(t, "a prefix needs at least " + std::to_string(kMinPrefixLength) + " letters or digits, found '" +
                    std::string(t.text) + "*'");
        return {};
      }
      term.prefix = true;
      term.written += "*";
    } else if (peek().kind == Tok::star) {
      fail(peek(), "expected a word right before '*', found a space");
      return {};
    }
    return Node{std::move(term)};
  }

  static bool near_operand_ok(const Node& n) {
    if (std::holds_alternative<Term>(n.v)) return true;
    if (const auto* o = std::get_if<Or>(&n.v)) {
      for (const auto& c : o->children) {
        if (!near_operand_ok(c)) return false;
      }
      return true;
    }
    return false;
  }

  Node parse_near() {
    const Token& kw = next();
    const std::string_view text = kw.text;
    if (text.size() <= 5 || text[4] != '/') {
      fail(kw, "expected a distance after NEAR, as in NEAR/5(a, b), found " + describe(kw));
      return {};
    }
    const std::string_view digits = text.substr(5);
    int distance = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), distance);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || distance < 1 || distance > kMaxNearDistance) {
      fail(kw, "expected a distance from 1 to " + std::to_string(kMaxNearDistance) + " after 'NEAR/', found '" +
                   std::string(digits) + "'");
      return {};
    }
    if (peek().kind != Tok::lparen) {
      fail(peek(), "expected '(' after " + describe(kw) + ", found " + describe(peek()));
      return {};
    }
    next();
    Near near;
    near.distance = distance;
    for (int k = 0; k < 2 && !error_; ++k) {
      const Token& start = peek();
      Node operand = parse_or();
      if (error_) return {};
      if (!near_operand_ok(operand)) {
        fail(start, "NEAR operands must be terms or alternatives of terms (a OR b), without AND or NOT");
        return {};
      }
      near.operands.push_back(std::move(operand));
      const Tok want = k == 0 ? Tok::comma : Tok::rparen;
      if (peek().kind != want) {
        fail(peek(), std::string(k == 0 ? "expected ',' between the two operands of " : "expected ')' to close ") +
                         describe(kw) + ", found " + describe(peek()));
        return {};
      }
      next();
    }
    return Node{std::move(near)};
  }

  std::vector<Token> t_;
  std::size_t p_ = 0;
  int depth_ = 0;
  std::optional<ParseError> error_;
};

void render(const Node& n, std::string& out) {
  std::visit(
      [&out](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, Term>) {
          if (v.fields != kAllFields) {
            out += v.fields == kTitle ? "title:" : v.fields == kSummary ? "summary:" : "content:";
          }
          if (!v.entity.empty()) {
            out += "@" + v.entity;
            return;
          }
          if (!v.language.empty()) {
            out += "lang:" + v.language;
            return;
          }
          if (v.exact) out += "=";
          const bool phrase = v.words.size() > 1;
          if (phrase) out += "\"";
          for (std::size_t i = 0; i < v.words.size(); ++i)
            out += (i > 0 ? " " : "") + v.words[i];
          if (phrase) out += "\"";
          if (v.prefix) out += "*";
        } else if constexpr (std::is_same_v<V, Not>) {
          out += "(NOT ";
          render(v.child.front(), out);
          out += ")";
        } else if constexpr (std::is_same_v<V, Near>) {
          out += "(NEAR/" + std::to_string(v.distance) + " ";
          render(v.operands[0], out);
          out += " ";
          render(v.operands[1], out);
          out += ")";
        } else {
          out += std::is_same_v<V, And> ? "(AND" : "(OR";
          for (const auto& c : v.children) {
            out += " ";
            render(c, out);
          }
          out += ")";
        }
      },
      n.v);
}

}  // namespace

Result<Node, ParseError> parse(std::string_view text) {
  auto tokens = Lexer(text).run();
  if (!tokens) return tokens.error();
  return Parser(std::move(tokens.value())).run();
}

Result<std::vector<WeightedTerm>, ParseError> parse_rank(std::string_view text) {
  auto tokens = Lexer(text).run();
  if (!tokens) return tokens.error();
  return Parser(std::move(tokens.value())).run_rank();
}

std::string to_string(const Node& node) {
  std::string out;
  render(node, out);
  return out;
}

}  // namespace newswatch::filters::query
