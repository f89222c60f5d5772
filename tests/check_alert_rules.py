#!/usr/bin/env python3
"""Checks Prometheus alerting rules against what the collector's /metrics exports.

    check_alert_rules.py RULES.yml SOURCE_DIR [--prometheus-config prometheus.yml]
    check_alert_rules.py --expect-failures BAD_RULES.yml SOURCE_DIR

The exported metric names are read from the C++ that writes /metrics (every .cc but tests
under SOURCE_DIR/collector/api): each "postura_..." or "process_..." string literal, and
a histogram family's _bucket, _sum and _count. Each rule must have a unique alert name, an
expression whose metric names are all exported (or Prometheus's own `up`) and whose
functions are PromQL's, a valid `for`, a severity label (critical or warning) and summary
and description annotations. With --prometheus-config, that file's rule_files must name
RULES.yml. When `promtool` is installed, `promtool check rules` must accept the file too,
and `promtool test rules` must pass its unit tests, RULES.test.yml beside it if present.

--expect-failures checks each rule of BAD_RULES.yml alone: every rule has one defect and
must be refused with exactly one error, containing its label `expect_error`, so this
checker is shown to fail, and not to fail on what is right.
Exit status 0 when everything holds, 1 otherwise (each problem on its own line).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

try:
    import yaml
except ImportError:
    sys.exit("check_alert_rules: needs PyYAML (Debian: python3-yaml, deploy/install-deps.sh)")

# PromQL's functions and aggregation operators (Prometheus 2.x).
FUNCTIONS = {
    "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil",
    "changes", "clamp", "clamp_max", "clamp_min", "count", "count_over_time",
    "count_values", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta",
    "deriv", "exp", "floor", "group", "histogram_quantile", "holt_winters", "hour", "idelta",
    "increase", "irate", "label_join", "label_replace", "last_over_time", "ln", "log10",
    "log2", "max", "max_over_time", "min", "min_over_time", "minute", "month",
    "predict_linear", "present_over_time", "quantile", "quantile_over_time", "rate",
    "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "stddev",
    "stddev_over_time", "stdvar", "stdvar_over_time", "sum", "sum_over_time", "time",
    "timestamp", "topk", "vector", "year",
}
# Keywords that take a parenthesised list of label names.
LABEL_LIST_KEYWORDS = ("by", "without", "on", "ignoring", "group_left", "group_right")
KEYWORDS = set(LABEL_LIST_KEYWORDS) | {"and", "or", "unless", "bool", "offset", "inf", "nan"}
# Series Prometheus makes itself for every scrape target.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}

RULE_KEYS = {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}
SEVERITIES = {"critical", "warning"}
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
ALERT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def exported_metrics(source_dir):
    """Metric names the collector's /metrics page can contain."""
    api_dir = os.path.join(source_dir, "collector", "api")
    names = set()
    for entry in sorted(os.listdir(api_dir)):
        if not entry.endswith(".cc") or entry.endswith("_test.cc"):
            continue
        with open(os.path.join(api_dir, entry), encoding="utf-8") as source:
            text = source.read()
        names.update(re.findall(r'"((?:postura|process)_[a-z0-9_]+)"', text))
        for family in re.findall(r'Histogram\(\s*"([a-z0-9_]+)"', text):
            names.update(family + suffix for suffix in ("_bucket", "_sum", "_count"))
    if not names:
        sys.exit(f"check_alert_rules: found no metric names under {api_dir}")
    return names


def expression_problems(expr, exported):
    """Problems of one PromQL expression: unknown metrics and functions, unbalanced brackets."""
    problems = []
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"'(?:[^'\\]|\\.)*'", "''", text)
    for opening, closing in ("()", "[]", "{}"):
        if text.count(opening) != text.count(closing):
            problems.append(f"unbalanced '{opening}{closing}' in: {expr.strip()}")
    text = re.sub(r"\{[^}]*\}", " ", text)  # Label matchers.
    text = re.sub(r"\[[^\]]*\]", " ", text)  # Ranges and subqueries.
    keywords = "|".join(LABEL_LIST_KEYWORDS)
    text = re.sub(rf"\b({keywords})\s*\([^)]*\)", " ", text)  # Label lists.
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", text):
        identifier, is_call = match.group(1), match.group(2) is not None
        if identifier.lower() in KEYWORDS:
            continue
        if is_call:
            if identifier not in FUNCTIONS:
                problems.append(f"'{identifier}' is not a PromQL function")
        elif identifier not in exported and identifier not in PROMETHEUS_SERIES:
            problems.append(f"metric '{identifier}' is not exported by the collector's /metrics")
    return problems


def rule_problems(rule, exported):
    """Problems of one rule, each a line of text."""
    if not isinstance(rule, dict):
        return ["a rule must be a mapping"]
    problems = [f"unknown key '{key}'" for key in sorted(set(rule) - RULE_KEYS)]
    if not ALERT_NAME.match(str(rule.get("alert", ""))):
        problems.append("'alert' must be a name of letters, digits and '_'")
    expr = rule.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        problems.append("'expr' is required")
    else:
        problems += expression_problems(expr, exported)
    if "for" in rule and not DURATION.match(str(rule["for"])):
        problems.append(f"'for: {rule['for']}' is not a Prometheus duration such as 10m")
    labels = rule.get("labels") or {}
    if labels.get("severity") not in SEVERITIES:
        problems.append(f"label 'severity' must be one of {sorted(SEVERITIES)}")
    annotations = rule.get("annotations") or {}
    for key in ("summary", "description"):
        if not str(annotations.get(key, "")).strip():
            problems.append(f"annotation '{key}' is required")
    for key, value in annotations.items():
        if str(value).count("{{") != str(value).count("}}"):
            problems.append(f"annotation '{key}' has unbalanced '{{{{ }}}}'")
    return problems


def load_rules(path):
    """The file's rules as (group name, rule) pairs, or exits with why it cannot."""
    try:
        with open(path, encoding="utf-8") as rules_file:
            document = yaml.safe_load(rules_file)
    except (OSError, yaml.YAMLError) as error:
        sys.exit(f"check_alert_rules: {path}: {error}")
    groups = document.get("groups") if isinstance(document, dict) else None
    if not isinstance(groups, list) or not groups:
        sys.exit(f"check_alert_rules: {path}: expected a non-empty 'groups' list")
    pairs = []
    for group in groups:
        for rule in group.get("rules") or []:
            pairs.append((str(group.get("name", "")), rule))
    return groups, pairs


def promtool_problems(promtool, path):
    """What promtool says of the rules, and of their unit tests (NAME.test.yml beside them)."""
    commands = [[promtool, "check", "rules", path]]
    tests = re.sub(r"\.ya?ml$", "", path) + ".test.yml"
    if os.path.exists(tests):
        commands.append([promtool, "test", "rules", tests])
    problems = []
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            problems.append(f"{' '.join(command[1:])}: {result.stdout}{result.stderr}".strip())
    return problems


def check_file(path, exported, prometheus_config):
    problems = []
    groups, pairs = load_rules(path)
    group_names = [str(group.get("name", "")) for group in groups]
    if "" in group_names or len(set(group_names)) != len(group_names):
        problems.append("every group needs a name of its own")
    seen = set()
    for group, rule in pairs:
        name = rule.get("alert") if isinstance(rule, dict) else None
        where = f"{group}/{name}"
        if name in seen:
            problems.append(f"{where}: alert name used twice")
        seen.add(name)
        problems += [f"{where}: {problem}" for problem in rule_problems(rule, exported)]
    if not pairs:
        problems.append("no rules")
    if prometheus_config:
        with open(prometheus_config, encoding="utf-8") as config_file:
            config = yaml.safe_load(config_file) or {}
        named = [os.path.basename(str(entry)) for entry in config.get("rule_files") or []]
        if os.path.basename(path) not in named:
            problems.append(f"{prometheus_config}: rule_files does not name {os.path.basename(path)}")
    promtool = shutil.which("promtool")
    if promtool:
        problems += promtool_problems(promtool, path)
    for problem in problems:
        print(f"FAIL {path}: {problem}")
    print(f"check_alert_rules: {len(pairs)} rules, {len(problems)} problems"
          f"{'' if promtool else ' (promtool not installed: PromQL checked by this script only)'}")
    return not problems


def check_expected_failures(path, exported):
    """Each rule must be refused with one problem, which contains its label expect_error."""
    ok = True
    _, pairs = load_rules(path)
    for group, rule in pairs:
        expected = str((rule.get("labels") or {}).get("expect_error", ""))
        problems = rule_problems(rule, exported)
        caught = bool(expected) and len(problems) == 1 and expected in problems[0]
        print(f"{'ok  ' if caught else 'FAIL'} {group}/{rule.get('alert')}: expected "
              f"'{expected}', got {problems}")
        ok = ok and caught
    return ok and bool(pairs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rules")
    parser.add_argument("source_dir")
    parser.add_argument("--prometheus-config")
    parser.add_argument("--expect-failures", action="store_true")
    args = parser.parse_args()
    exported = exported_metrics(args.source_dir)
    if args.expect_failures:
        ok = check_expected_failures(args.rules, exported)
    else:
        ok = check_file(args.rules, exported, args.prometheus_config)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
