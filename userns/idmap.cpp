#include "userns/idmap.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace burrow::userns {

namespace {

void append_num(std::string &s, uint64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    s.append(buf, end);
}

// "300000-300009" or "300000" for a single id; last is inclusive.
std::string span(uint64_t first, uint64_t last) {
    std::string s;
    append_num(s, first);
    if (last != first) {
        s += '-';
        append_num(s, last);
    }
    return s;
}

uint64_t last_of(uint32_t start, uint32_t count) { return uint64_t{start} + count - 1; }

// "container ids 0-9" / "host id 1001"
std::string ids(const char *side, uint32_t start, uint32_t count) {
    return std::string(side) + (count == 1 ? " id " : " ids ") + span(start, last_of(start, count));
}

// Whether the messages speak of uids or gids.
const char *id_kind(const std::string &field, const std::string &file) {
    auto names_gid = [](const std::string &s) {
        return s.find("gid") != std::string::npos || s.find("Gid") != std::string::npos;
    };
    return names_gid(field) || names_gid(file) ? "gid" : "uid";
}

struct Span {
    uint64_t first, last; // inclusive
};

// The ranges as sorted, disjoint spans, touching ones joined.
std::vector<Span> merged(const std::vector<Range> &ranges) {
    std::vector<Span> v;
    for (auto &r : ranges)
        if (r.count) v.push_back({r.start, last_of(r.start, r.count)});
    std::sort(v.begin(), v.end(), [](const Span &a, const Span &b) { return a.first < b.first; });
    std::vector<Span> out;
    for (auto &s : v) {
        if (!out.empty() && s.first <= out.back().last + 1)
            out.back().last = std::max(out.back().last, s.last);
        else
            out.push_back(s);
    }
    return out;
}

// Throws when two mappings overlap on one side (inside or outside).
void check_overlap(const std::vector<IdMap> &maps, uint32_t IdMap::*side, const char *name,
                   const std::string &field) {
    std::vector<const IdMap *> v;
    v.reserve(maps.size());
    for (auto &m : maps) v.push_back(&m);
    std::sort(v.begin(), v.end(), [side](const IdMap *a, const IdMap *b) { return a->*side < b->*side; });
    for (std::size_t i = 1; i < v.size(); ++i) {
        const IdMap &a = *v[i - 1], &b = *v[i];
        if (b.*side <= last_of(a.*side, a.count))
            throw std::runtime_error(field + ": " + ids(name, a.*side, a.count) + " and " +
                                     span(b.*side, last_of(b.*side, b.count)) + " overlap");
    }
}

} // namespace

void check_entitled(const std::vector<IdMap> &maps, uint32_t own_id, const std::vector<Range> &ranges,
                    const std::string &field, const std::string &file, const std::string &user) {
    if (maps.size() > max_map_lines)
        throw std::runtime_error(field + ": " + std::to_string(maps.size()) +
                                 " mappings, but the kernel takes at most " + std::to_string(max_map_lines));
    for (auto &m : maps) {
        if (m.count == 0)
            throw std::runtime_error(field + ": the mapping of container id " + std::to_string(m.inside) +
                                     " to host id " + std::to_string(m.outside) + " has size 0");
        for (auto [side, start] : {std::pair{"container", m.inside}, std::pair{"host", m.outside}})
            if (last_of(start, m.count) > max_id)
                throw std::runtime_error(field + ": " + ids(side, start, m.count) +
                                         (m.count == 1 ? " goes" : " go") + " past the largest id " +
                                         std::to_string(max_id));
    }
    check_overlap(maps, &IdMap::inside, "container", field);
    check_overlap(maps, &IdMap::outside, "host", field);

    std::vector<Span> mine = merged(ranges);
    for (auto &m : maps) {
        if (m.count == 1 && m.outside == own_id) continue;
        uint64_t last = last_of(m.outside, m.count);
        bool inside = std::any_of(mine.begin(), mine.end(),
                                  [&](const Span &s) { return s.first <= m.outside && last <= s.last; });
        if (inside) continue;

        const std::string who = user.empty() ? std::to_string(own_id) : user;
        std::string msg = field + ": " + ids("host", m.outside, m.count) + (m.count == 1 ? " is" : " are") +
                          " not yours: you are " + id_kind(field, file) + " " + std::to_string(own_id) + " and " +
                          file;
        if (mine.empty()) {
            msg += " has no range for " + who;
        } else {
            msg += " gives " + who + " ";
            for (std::size_t i = 0; i < mine.size(); ++i) {
                if (i) msg += ", ";
                msg += span(mine[i].first, mine[i].last);
            }
        }
        throw std::runtime_error(msg);
    }
}

bool writable_directly(const std::vector<IdMap> &maps, uint32_t own_id) {
    return maps.size() == 1 && maps[0].count == 1 && maps[0].outside == own_id;
}

std::string format_map(const std::vector<IdMap> &maps) {
    std::string s;
    s.reserve(maps.size() * 33);
    for (auto &m : maps) {
        append_num(s, m.inside);
        s += ' ';
        append_num(s, m.outside);
        s += ' ';
        append_num(s, m.count);
        s += '\n';
    }
    return s;
}

std::vector<std::string> helper_argv(const char *helper, int pid, const std::vector<IdMap> &maps) {
    std::vector<std::string> argv;
    argv.reserve(2 + 3 * maps.size());
    argv.emplace_back(helper);
    argv.push_back(std::to_string(pid));
    for (auto &m : maps) {
        argv.push_back(std::to_string(m.inside));
        argv.push_back(std::to_string(m.outside));
        argv.push_back(std::to_string(m.count));
    }
    return argv;
}

namespace {

// The host ids of `ranges` in file order, less own_id and less any id an
// earlier range already gave, as disjoint spans.
std::vector<Span> free_host_ids(uint32_t own_id, const std::vector<Range> &ranges) {
    std::vector<Span> taken{{own_id, own_id}}; // sorted and disjoint
    std::vector<Span> out;
    for (auto &r : ranges) {
        if (r.count == 0) continue;
        uint64_t first = r.start, last = std::min<uint64_t>(last_of(r.start, r.count), max_id);
        std::vector<Span> pieces; // the pieces of [first, last] nothing uses yet, in order
        for (auto &t : taken) {
            if (t.last < first) continue;
            if (t.first > last) break;
            if (t.first > first) pieces.push_back({first, t.first - 1});
            first = t.last + 1;
            if (first > last) break;
        }
        if (first <= last) pieces.push_back({first, last});
        for (auto &p : pieces) {
            out.push_back(p);
            taken.insert(std::upper_bound(taken.begin(), taken.end(), p,
                                          [](const Span &a, const Span &b) { return a.first < b.first; }),
                         p);
        }
    }
    return out;
}

// Maps container ids next .. end-1 (end inclusive bound: past the last one)
// onto the host spans from `free`, consuming them; stops at max_map_lines.
void fill(std::vector<IdMap> &maps, std::vector<Span> &free, std::size_t &i, uint64_t &next, uint64_t end) {
    while (i < free.size() && next < end && maps.size() < max_map_lines) {
        Span &p = free[i];
        uint64_t count = std::min(p.last - p.first + 1, end - next);
        maps.push_back({static_cast<uint32_t>(next), static_cast<uint32_t>(p.first), static_cast<uint32_t>(count)});
        next += count;
        p.first += count;
        if (p.first > p.last) ++i;
    }
}

} // namespace

std::vector<IdMap> default_rootless_maps(uint32_t own_id, const std::vector<Range> &ranges) {
    std::vector<IdMap> maps{{0, own_id, 1}};
    auto free = free_host_ids(own_id, ranges);
    std::size_t i = 0;
    uint64_t next = 1;
    fill(maps, free, i, next, uint64_t{max_id} + 1);
    return maps;
}

std::vector<IdMap> keep_id_maps(uint32_t own_id, const std::vector<Range> &ranges) {
    std::vector<IdMap> maps;
    auto free = free_host_ids(own_id, ranges);
    std::size_t i = 0;
    uint64_t next = 0;
    fill(maps, free, i, next, own_id);
    // The own id goes in the right place among the lines (sorted by container id).
    if (maps.size() == max_map_lines) maps.pop_back();
    maps.push_back({own_id, own_id, 1});
    if (next < own_id) return maps; // the ranges ran out below the own id
    next = uint64_t{own_id} + 1;
    fill(maps, free, i, next, uint64_t{max_id} + 1);
    return maps;
}

int64_t inside_id(const std::vector<IdMap> &maps, uint32_t outside) {
    for (auto &m : maps)
        if (outside >= m.outside && outside - m.outside < m.count) return int64_t{m.inside} + (outside - m.outside);
    return -1;
}

} // namespace burrow::userns
