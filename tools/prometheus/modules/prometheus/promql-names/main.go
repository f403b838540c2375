// Command promql-names reads a JSON array of PromQL expressions on standard input and writes, for each, the metric
// names its selectors name (by name or by an equality matcher on __name__), or the parse error, as a JSON array in
// the same order. It uses the PromQL parser of the pinned Prometheus release, so an expression that parses here
// parses in the Prometheus the state runs. Selectors naming no metric (a regular expression on __name__) are listed
// under "unnamed", so that a catalog check cannot miss them.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

type result struct {
	Expr    string   `json:"expr"`
	Names   []string `json:"names"`
	Unnamed []string `json:"unnamed"`
	Error   string   `json:"error,omitempty"`
}

func namesOf(p parser.Parser, expr string) result {
	out := result{Expr: expr, Names: []string{}, Unnamed: []string{}}
	node, err := p.ParseExpr(expr)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	seen := map[string]bool{}
	parser.Inspect(node, func(node parser.Node, _ []parser.Node) error {
		selector, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := selector.Name
		for _, matcher := range selector.LabelMatchers {
			if matcher.Name == labels.MetricName && matcher.Type == labels.MatchEqual {
				name = matcher.Value
			}
		}
		if name == "" {
			out.Unnamed = append(out.Unnamed, selector.String())
		} else if !seen[name] {
			seen[name] = true
			out.Names = append(out.Names, name)
		}
		return nil
	})
	sort.Strings(out.Names)
	return out
}

func main() {
	var exprs []string
	if err := json.NewDecoder(os.Stdin).Decode(&exprs); err != nil {
		fmt.Fprintf(os.Stderr, "promql-names: standard input is not a JSON array of strings: %v\n", err)
		os.Exit(2)
	}
	p := parser.NewParser(parser.Options{})
	results := make([]result, 0, len(exprs))
	for _, expr := range exprs {
		results = append(results, namesOf(p, expr))
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintf(os.Stderr, "promql-names: %v\n", err)
		os.Exit(1)
	}
}
