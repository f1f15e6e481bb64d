// A strict little XML 1.0 well-formedness checker for tests of generated documents (the
// encounters SVG): one root element, balanced tags, quoted unique attributes, only the five
// predefined entities or character references, no stray '<' or '&'. Counts elements by name
// so a test can ask "how many <path>". Not a validating parser; DTDs are refused.
#pragma once

#include <cctype>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace jejak::testing {

struct XmlCheck {
    bool ok = false;
    std::string error;
    std::map<std::string, int> elements;                    // element name -> count
    std::vector<std::map<std::string, std::string>> paths;  // attributes of each <path>
};

namespace xml_detail {

inline bool NameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == ':';
}

inline bool Entity(std::string_view s, size_t& i) {  // s[i] == '&'
    const size_t end = s.find(';', i);
    if (end == std::string_view::npos) return false;
    const std::string_view name = s.substr(i + 1, end - i - 1);
    static const std::set<std::string_view> kNamed{"lt", "gt", "amp", "quot", "apos"};
    bool good = kNamed.count(name) > 0;
    if (!good && name.size() > 1 && name[0] == '#') {
        good = true;
        for (size_t k = 1; k < name.size(); ++k) {
            good = good && (std::isxdigit(static_cast<unsigned char>(name[k])) ||
                            (k == 1 && name[k] == 'x'));
        }
    }
    i = end + 1;
    return good;
}

}  // namespace xml_detail

inline XmlCheck CheckXml(std::string_view s) {
    using namespace xml_detail;
    XmlCheck r;
    auto fail = [&](const std::string& why, size_t at) {
        r.error = why + " at offset " + std::to_string(at);
        return r;
    };
    std::vector<std::string> open;
    bool root_done = false;
    size_t i = 0;
    if (s.substr(0, 5) == "<?xml") {
        i = s.find("?>");
        if (i == std::string_view::npos) return fail("unterminated declaration", 0);
        i += 2;
    }
    while (i < s.size()) {
        const char c = s[i];
        if (c == '&') {
            if (!Entity(s, i)) return fail("bad entity", i);
            continue;
        }
        if (c != '<') {
            if (open.empty() && !std::isspace(static_cast<unsigned char>(c))) {
                return fail("text outside the root", i);
            }
            ++i;
            continue;
        }
        if (s.substr(i, 4) == "<!--") {
            const size_t end = s.find("-->", i + 4);
            if (end == std::string_view::npos) return fail("unterminated comment", i);
            i = end + 3;
            continue;
        }
        if (s.substr(i, 2) == "<!" || s.substr(i, 2) == "<?") return fail("unsupported markup", i);
        const bool closing = s.substr(i, 2) == "</";
        size_t j = i + (closing ? 2 : 1);
        const size_t name_start = j;
        while (j < s.size() && NameChar(s[j])) ++j;
        const std::string name(s.substr(name_start, j - name_start));
        if (name.empty()) return fail("missing element name", i);
        if (closing) {
            while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
            if (j >= s.size() || s[j] != '>') return fail("bad end tag", i);
            if (open.empty() || open.back() != name) return fail("mismatched </" + name + ">", i);
            open.pop_back();
            if (open.empty()) root_done = true;
            i = j + 1;
            continue;
        }
        if (root_done || (open.empty() && r.elements.size() > 0)) return fail("second root", i);
        std::map<std::string, std::string> attributes;
        bool self_closing = false;
        while (true) {
            const size_t ws = j;
            while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
            if (j >= s.size()) return fail("unterminated tag", i);
            if (s[j] == '>') break;
            if (s.substr(j, 2) == "/>") {
                self_closing = true;
                ++j;
                break;
            }
            if (ws == j) return fail("attributes need spaces between them", j);
            const size_t a = j;
            while (j < s.size() && NameChar(s[j])) ++j;
            const std::string attr(s.substr(a, j - a));
            if (attr.empty() || j + 1 >= s.size() || s[j] != '=' ||
                (s[j + 1] != '"' && s[j + 1] != '\'')) {
                return fail("bad attribute", a);
            }
            const char quote = s[j + 1];
            size_t k = j + 2;
            std::string value;
            while (k < s.size() && s[k] != quote) {
                if (s[k] == '<') return fail("'<' in an attribute", k);
                if (s[k] == '&') {
                    if (!Entity(s, k)) return fail("bad entity", k);
                    continue;
                }
                value += s[k++];
            }
            if (k >= s.size()) return fail("unterminated attribute", a);
            if (!attributes.emplace(attr, value).second) return fail("duplicate attribute", a);
            j = k + 1;
        }
        ++r.elements[name];
        if (name == "path") r.paths.push_back(attributes);
        if (self_closing) {
            if (open.empty()) root_done = true;
        } else {
            open.push_back(name);
        }
        i = j + 1;
    }
    if (!open.empty()) return fail("unclosed <" + open.back() + ">", s.size());
    if (!root_done) return fail("no root element", 0);
    r.ok = true;
    return r;
}

}  // namespace jejak::testing
