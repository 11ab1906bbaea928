// The per-line work of caseline's syslog engine done natively, on one thread, to measure the
// floor a native engine would stand on (benchmarks/native_floor.py builds and runs it; not
// part of caseline). Reads the spec that script exports (the pattern's head, the rules with
// their regexes as the engine runs them) and a syslog file; writes nothing but a summary.
//
// usage: native_floor SPEC.json FILE [--no-rules] [--no-captures] [--literal-pretest]
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

struct Rule {
    process: Option<Regex>,
    message: Option<Regex>,
    action: Option<String>,
    groups: Vec<String>,
    literal: String,
}

fn month(name: &str) -> i64 {
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter().position(|m| *m == name).map_or(0, |i| i as i64 + 1)
}

fn json_escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

fn regex(value: Option<&serde_json::Value>) -> Option<Regex> {
    value.map(|v| Regex::new(v.as_str().expect("a regex")).expect("the regex compiles"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (use_rules, use_captures, pretest) = (
        !args.contains(&"--no-rules".to_string()),
        !args.contains(&"--no-captures".to_string()),
        args.contains(&"--literal-pretest".to_string()),
    );
    let spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&args[1]).unwrap()).unwrap();
    let fields: HashSet<String> = spec["fields"].as_array().unwrap().iter()
        .map(|v| v.as_str().unwrap().to_string()).collect();
    let head = Regex::new(spec["head"].as_str().unwrap()).unwrap();
    let slot = |name: &str| head.capture_names().position(|x| x == Some(name)).unwrap();
    let (ts_slot, process_slot, host_slot) = (slot("timestamp"), slot("process"), slot("host"));
    let rules: Vec<Rule> = spec["rules"].as_array().unwrap().iter().map(|r| {
        let message = regex(r["when"].get("message"));
        let groups = message.as_ref()
            .map(|m| m.capture_names().flatten().map(str::to_string).collect()).unwrap_or_default();
        Rule {
            process: regex(r["when"].get("process")),
            message,
            action: r["set"].get("action").and_then(|a| a.as_str()).map(str::to_string),
            groups,
            literal: r["literal"].as_str().unwrap_or("").to_string(),
        }
    }).collect();
    let data = std::fs::read(&args[2]).unwrap();
    let text = String::from_utf8_lossy(&data);

    let start = Instant::now();
    let mut by_process: HashMap<String, Vec<usize>> = HashMap::new();
    // the columns a timeline holds, as owned strings (what building Arrow arrays copies)
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); 8];
    let mut stamps: Vec<i64> = Vec::new();
    let (mut lines, mut matched, mut ruled) = (0usize, 0usize, 0usize);
    let mut locations = head.capture_locations();
    for line in text.split('\n') {
        if line.is_empty() {
            continue;
        }
        lines += 1;
        if head.captures_read(&mut locations, line).is_none() {
            continue;
        }
        matched += 1;
        let group = |i: usize| locations.get(i).map(|(a, b)| &line[a..b]).unwrap_or("");
        let head_end = locations.get(0).unwrap().1;
        let (ts, process, host) = (group(ts_slot), group(process_slot), group(host_slot));
        let message = line[head_end..].strip_prefix(' ').unwrap_or(&line[head_end..]);
        // "%b %d %H:%M:%S"
        let (day, clock) = ts[3..].trim_start().split_once(' ').unwrap();
        let hms: Vec<i64> = clock.split(':').map(|x| x.parse().unwrap()).collect();
        let day: i64 = day.parse().unwrap();
        stamps.push(((month(&ts[..3]) * 31 + day) * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2]) * 1_000_000);
        let candidates = by_process.entry(process.to_string()).or_insert_with(|| {
            (0..rules.len()).filter(|&i| rules[i].process.as_ref().map_or(true, |p| p.is_match(process))).collect()
        });
        let mut extra = String::new();
        let mut action = "log_line";
        if use_rules {
            for &i in candidates.iter() {
                let rule = &rules[i];
                if pretest && !rule.literal.is_empty() && !message.contains(rule.literal.as_str()) {
                    continue;
                }
                if !rule.message.as_ref().map_or(true, |m| m.is_match(message)) {
                    continue;
                }
                ruled += 1;
                if let Some(a) = &rule.action {
                    action = a;
                }
                if let (Some(m), true) = (&rule.message, use_captures && !rule.groups.is_empty()) {
                    if let Some(found) = m.captures(message) {
                        for name in &rule.groups {
                            if let Some(value) = found.name(name) {
                                if fields.contains(name) {
                                    columns[6].push(value.as_str().to_string());
                                } else {
                                    if !extra.is_empty() {
                                        extra.push(',');
                                    }
                                    extra.push_str(&format!("\"{}\":\"", name));
                                    json_escape(value.as_str(), &mut extra);
                                    extra.push('"');
                                }
                            }
                        }
                    }
                }
                break;
            }
        }
        columns[0].push(line.to_string());
        columns[1].push(message.to_string());
        columns[2].push(host.to_string());
        columns[3].push(process.to_string());
        columns[4].push(action.to_string());
        columns[5].push(if extra.is_empty() { String::new() } else { format!("{{{}}}", extra) });
        columns[7].push(format!("00000000:{}", lines));
    }
    let seconds = start.elapsed().as_secs_f64();
    let megabytes = data.len() as f64 / 1e6;
    let held: usize = columns.iter().map(Vec::len).sum::<usize>() + stamps.len();
    println!("{lines} lines, {matched} matched, {ruled} took a rule ({held} values held); \
              {seconds:.2} s for {megabytes:.0} MB = {:.0} MB/s on one core", megabytes / seconds);
}
