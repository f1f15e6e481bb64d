// Text and JSON views of an evaluation.
#include "agent/eval/eval_report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace jejak::eval {
namespace {

std::string Pct(std::optional<double> v) {
    if (!v) return "n/a";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%", *v * 100);
    return buf;
}

nlohmann::json Num(std::optional<double> v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

std::string Fixed(double v, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string Pad(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// Best threshold of pooled ROC points by balanced accuracy (lowest threshold on ties).
std::optional<int> BestThreshold(const std::vector<RocPoint>& roc) {
    std::optional<int> best;
    double best_ba = -1;
    for (const RocPoint& p : roc) {
        const double ba = p.counts.BalancedAccuracy().value_or(0);
        if (ba > best_ba) {
            best_ba = ba;
            best = static_cast<int>(p.threshold);
        }
    }
    return best;
}

const RocPoint* PointAt(const std::vector<RocPoint>& roc, int threshold) {
    for (const RocPoint& p : roc) {
        if (static_cast<int>(p.threshold) == threshold) return &p;
    }
    return nullptr;
}

void PrintRowLine(const EvalRow& r, std::ostream& out) {
    const Confusion& c = r.counts;
    std::string rule = r.rule;
    if (rule == DefaultRiskPresetName()) rule += " (default)";
    if (r.best_threshold_db) rule += "(<=" + std::to_string(*r.best_threshold_db) + ")";
    out << "  " << Pad(std::string(1, r.mode), 2) << Pad(rule, 30)
        << Pad(std::to_string(r.episodes), 7) << Pad(std::to_string(c.tp), 6)
        << Pad(std::to_string(c.fp), 6) << Pad(std::to_string(c.tn), 6)
        << Pad(std::to_string(c.fn), 6) << Pad(Pct(c.Tpr()), 8) << Pad(Pct(c.Fpr()), 8)
        << Pad(Pct(c.Precision()), 8) << Pad(Pct(c.BalancedAccuracy()), 8) << Pad(Pct(c.F1()), 8);
    if (r.tpr_lo) out << "TPR " << Pct(r.tpr_lo) << ".." << Pct(r.tpr_hi) << " ";
    if (r.auc) out << "AUC " << Fixed(*r.auc, 3);
    out << "\n";
}

void PrintStreams(const EvalResult& result, std::ostream& out) {
    out << "Streams (continuity: 30-s windows with a reading, from each contact event's first "
           "reading; gaps between readings inside contact events)\n";
    for (const StreamSummary& s : result.streams) {
        out << "  " << s.file << ": " << FormatName(s.format) << ", " << s.readings << " readings";
        if (s.dropped > 0) out << " (" << s.dropped << " rows dropped)";
        out << ", " << s.episodes << " episodes";
        if (s.continuity_c.total > 0) {
            out << ", continuity " << s.continuity_c.hit << "/" << s.continuity_c.total << " = "
                << Fixed(100.0 * static_cast<double>(s.continuity_c.hit) /
                             static_cast<double>(s.continuity_c.total),
                         2)
                << "%, gap mean/median/max " << Fixed(s.gaps.mean, 1) << "/"
                << Fixed(s.gaps.median, 1) << "/" << Fixed(s.gaps.max, 0) << " s";
        }
        out << "\n";
    }
}

void PrintCalibrations(const EvalResult& result, std::ostream& out) {
    out << "Calibration per group (one-point, in-sample, the sweep's: RSSI correction that puts "
           "the median attenuation at 150 cm at 55 dB; attenuation = tx - (rssi + correction)).\n"
           "The fixed rules use a held-out fit per distance instead (docs/efficacy.md; --json "
           "calibration.held_out_rssi_correction_db):\n";
    std::set<std::string> seen;
    for (const StreamSummary& s : result.streams) {
        if (!seen.insert(s.group).second) continue;
        out << "  " << s.group << ": ";
        if (s.calibration.calibrated) {
            out << "tx " << s.calibration.tx_dbm << " dBm, correction "
                << s.calibration.rssi_correction_db << " dB\n";
        } else {
            out << "no 150 cm readings (the sweep needs no calibration)\n";
        }
    }
}

void PrintDetection(const std::vector<EvalRow>& sums, std::ostream& out) {
    out << "Detection rate by distance (share of episodes notified), mode P and C:\n";
    for (const EvalRow& r : sums) {
        if (r.mode == 'R' || r.by_distance.empty()) continue;
        out << "  " << Pad(r.source, 30) << r.mode << " " << Pad(r.rule, 30);
        for (const auto& [cm, d] : r.by_distance) {
            out << cm << ":"
                << Fixed(100.0 * static_cast<double>(d.notified) / static_cast<double>(d.episodes),
                         0)
                << " ";
        }
        out << "\n";
    }
}

void PrintTruthVariants(const std::vector<EvalRow>& sums, std::ostream& out) {
    out << "Ground-truth variants (precision / recall / balanced accuracy): <= 2 m; guard band "
           "(150-250 cm episodes left out); <= 1.5 m (RKI/CWA and SwissCovid distance):\n";
    for (const EvalRow& r : sums) {
        if (r.mode == 'R' || r.rule == "sweep" || r.by_distance.empty()) continue;
        out << "  " << Pad(r.source, 30) << r.mode << " " << Pad(r.rule, 30);
        for (const Confusion& c :
             {ConfusionUnderTruth(r, 200, 0, 0), ConfusionUnderTruth(r, 200, 140, 250),
              ConfusionUnderTruth(r, 150, 0, 0)}) {
            out << Pad(
                Pct(c.Precision()) + " / " + Pct(c.Tpr()) + " / " + Pct(c.BalancedAccuracy()), 26);
        }
        out << "\n";
    }
}

void PrintTransfer(const std::vector<EvalRow>& sums, std::ostream& out) {
    out << "Cross-source threshold (sweep; best balanced accuracy on one source, applied "
           "unchanged to the others):\n";
    for (char mode : {'P', 'C'}) {
        for (const EvalRow& from : sums) {
            if (from.mode != mode || from.rule != "sweep" || !from.best_threshold_db) continue;
            for (const EvalRow& to : sums) {
                if (to.mode != mode || to.rule != "sweep" || to.source == from.source) continue;
                const RocPoint* p = PointAt(to.roc, *from.best_threshold_db);
                if (p == nullptr) continue;
                out << "  " << mode << " " << from.source << " (<=" << *from.best_threshold_db
                    << " dB) -> " << to.source << ": TPR " << Pct(p->counts.Tpr()) << ", FPR "
                    << Pct(p->counts.Fpr()) << ", precision " << Pct(p->counts.Precision())
                    << ", balanced accuracy " << Pct(p->counts.BalancedAccuracy()) << "\n";
            }
        }
    }
}

void PrintPublished(std::ostream& out) {
    out << R"(Published figures (data/datasets/README.md section (d)); compare like with like:
  Fraunhofer IIS, "Google Exposure Notification API testing", 2020-06-24 (CWA documentation):
    Pixel 4 phones, re-enacted train/queue/restaurant/party scenarios, CWA rule 55/60 dB as tested:
    TP 19, FP 8, TN 95, FN 21: precision 70.4%, recall 47.5%, accuracy 79.7%.
  Leith & Farrell, PLOS ONE 16(4) e0250826 (2021), commuter bus, all pairs within 2 m >= 15 min:
    Swiss rule: detection (recall) 0%; alternative threshold rule: 5% at 15 min, 8% at 10 min.
  Leith & Farrell, PLOS ONE 15(9) e0239943 (2020), light-rail tram:
    Swiss and German rules: no notifications; Italian rule: TPR 50%, FPR 50%.
  Herald project results (theheraldproject.github.io efficacy/results.md), office, phones ~2 m apart:
    Herald v1.1, 4 phones, 8 h: continuity 99.991%, mean time between readings <= 4.39 s;
    10 phones 2020-08-31: continuity 93.06%, 6.98 s; simulated "5-minute annealed" GAEN-like
    protocol: continuity 20.93%.
  Like with like: Fraunhofer and Leith & Farrell measured phones on bodies in vehicles and rooms
  (compare with mode P on the phone streams); the Herald data has no bodies and the Pi data is
  line of sight; Herald continuity describes connection-based protocols (compare with mode C).
)";
}

}  // namespace

Confusion ConfusionUnderTruth(const EvalRow& r, int contact_cm, int skip_from, int skip_to) {
    Confusion c;
    for (const auto& [cm, d] : r.by_distance) {
        if (cm > skip_from && cm <= skip_to) continue;
        const uint64_t missed = d.episodes - d.notified;
        if (cm <= contact_cm) {
            c.tp += d.notified;
            c.fn += missed;
        } else {
            c.fp += d.notified;
            c.tn += missed;
        }
    }
    return c;
}

nlohmann::json RowJson(const EvalRow& r) {
    nlohmann::json j = {{"file", r.file},
                        {"source", r.source},
                        {"mode", std::string(1, r.mode)},
                        {"rule", r.rule},
                        {"schedules", r.schedules},
                        {"episodes", r.episodes},
                        {"tp", r.counts.tp},
                        {"fp", r.counts.fp},
                        {"tn", r.counts.tn},
                        {"fn", r.counts.fn},
                        {"tpr", Num(r.counts.Tpr())},
                        {"fpr", Num(r.counts.Fpr())},
                        {"precision", Num(r.counts.Precision())},
                        {"accuracy", Num(r.counts.Accuracy())},
                        {"balanced_accuracy", Num(r.counts.BalancedAccuracy())},
                        {"f1", Num(r.counts.F1())},
                        {"continuity_windows_hit", r.continuity.hit},
                        {"continuity_windows_total", r.continuity.total},
                        {"calibration",
                         {{"group", r.group},
                          {"calibrated", r.calibration.calibrated},
                          {"tx_dbm", r.calibration.tx_dbm},
                          {"rssi_correction_db", r.calibration.rssi_correction_db}}},
                        {"default", r.rule == DefaultRiskPresetName()}};
    nlohmann::json held = nlohmann::json::object();
    for (const auto& [cm, db] : r.held_out_correction_db) held[std::to_string(cm)] = db;
    j["calibration"]["held_out_rssi_correction_db"] = held;
    nlohmann::json by = nlohmann::json::object();
    for (const auto& [cm, d] : r.by_distance) {
        by[std::to_string(cm)] = {{"notified", d.notified}, {"episodes", d.episodes}};
    }
    j["detection_by_distance"] = by;
    if (r.mode == 'P') {
        j["tpr_p2_5"] = Num(r.tpr_lo);
        j["tpr_p97_5"] = Num(r.tpr_hi);
        j["fpr_p2_5"] = Num(r.fpr_lo);
        j["fpr_p97_5"] = Num(r.fpr_hi);
    }
    if (r.rule == "sweep") {
        j["auc"] = Num(r.auc);
        j["best_threshold_db"] =
            r.best_threshold_db ? nlohmann::json(*r.best_threshold_db) : nlohmann::json();
        nlohmann::json roc = nlohmann::json::array();
        for (const RocPoint& p : r.roc) {
            roc.push_back({{"threshold_db", p.threshold},
                           {"tpr", Num(p.counts.Tpr())},
                           {"fpr", Num(p.counts.Fpr())}});
        }
        j["roc"] = roc;
    }
    return j;
}

nlohmann::json ResultJson(const EvalResult& result) {
    nlohmann::json out = nlohmann::json::array();
    for (const EvalRow& r : result.rows) out.push_back(RowJson(r));
    return out;
}

std::vector<EvalRow> SumBySource(const std::vector<EvalRow>& rows) {
    std::vector<EvalRow> sums;
    std::map<std::tuple<std::string, char, std::string>, size_t> index;
    for (const EvalRow& r : rows) {
        const auto key = std::make_tuple(r.source, r.mode, r.rule);
        auto [it, fresh] = index.try_emplace(key, sums.size());
        if (fresh) {
            EvalRow s = r;
            s.file = r.source;
            s.tpr_lo = s.tpr_hi = s.fpr_lo = s.fpr_hi = std::nullopt;
            sums.push_back(s);
            continue;
        }
        EvalRow& s = sums[it->second];
        s.episodes += r.episodes;
        s.counts += r.counts;
        s.continuity += r.continuity;
        for (const auto& [cm, d] : r.by_distance) {
            s.by_distance[cm].notified += d.notified;
            s.by_distance[cm].episodes += d.episodes;
        }
        for (size_t i = 0; i < s.roc.size() && i < r.roc.size(); ++i)
            s.roc[i].counts += r.roc[i].counts;
    }
    for (EvalRow& s : sums) {
        if (s.rule != "sweep") continue;
        s.auc = RocAuc(s.roc);
        s.best_threshold_db = BestThreshold(s.roc);
        if (const RocPoint* p =
                s.best_threshold_db ? PointAt(s.roc, *s.best_threshold_db) : nullptr) {
            s.counts = p->counts;
        }
        s.by_distance.clear();  // per-distance counts are kept per file at its own best threshold
    }
    return sums;
}

void PrintReport(const EvalResult& result, std::ostream& out) {
    PrintCalibrations(result, out);
    PrintStreams(result, out);
    const std::vector<EvalRow> sums = SumBySource(result.rows);
    out << "Results per source (ground truth: contact if <= 200 cm; mode P summed over its "
           "schedules, 2.5..97.5% band over schedules per file in --json;\n"
           "sweep: counts at the pooled best threshold, in-sample)\n";
    std::string source;
    for (const EvalRow& r : sums) {
        if (r.source != source) {
            source = r.source;
            out << source << "\n  " << Pad("m", 2) << Pad("rule", 30) << Pad("n", 7) << Pad("TP", 6)
                << Pad("FP", 6) << Pad("TN", 6) << Pad("FN", 6) << Pad("TPR", 8) << Pad("FPR", 8)
                << Pad("prec", 8) << Pad("BA", 8) << Pad("F1", 8) << "\n";
        }
        PrintRowLine(r, out);
    }
    PrintDetection(sums, out);
    PrintTruthVariants(sums, out);
    PrintTransfer(sums, out);
    PrintPublished(out);
}

}  // namespace jejak::eval
