package rules

import (
	"encoding/json"
	"sort"
)

// Schema returns the JSON Schema (draft 2020-12) of a rule file, built from
// the same tables the loader validates with, so editors that read it (the
// YAML language server, for one) check a file as gongkai will. The schema
// checks each file on its own; what spans files (references, sums of
// points) only `gongkai rules check` can judge.
func Schema() []byte {
	str := map[string]any{"type": "string"}
	nonEmpty := map[string]any{"type": "string", "minLength": 1}
	id := map[string]any{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}
	points := map[string]any{"type": "number", "minimum": 0}
	strList := map[string]any{"type": "array", "items": nonEmpty}
	date := map[string]any{"type": "string", "pattern": `^\d{4}-\d{2}-\d{2}(\.\.\d{4}-\d{2}-\d{2})?$`}
	days := map[string]any{"anyOf": []any{
		map[string]any{"type": "string", "pattern": `^\d+\s*[dw]?$`},
		map[string]any{"type": "integer", "minimum": 1},
	}, "description": `days such as "14d", weeks such as "2w"`}
	monthDay := map[string]any{"type": "string", "pattern": `^\d{1,2}-\d{1,2}$`, "description": `a day such as "01-31"`}
	obj := func(required []string, props map[string]any) map[string]any {
		o := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
		if len(required) > 0 {
			o["required"] = required
		}
		return o
	}
	field := obj([]string{"name"}, map[string]any{"name": nonEmpty, "aliases": strList})

	checkProps := map[string]any{
		"id":             map[string]any{"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"},
		"kind":           map[string]any{"enum": CheckKinds()},
		"column":         id,
		"indicator":      id,
		"severity":       map[string]any{"enum": []string{"veto", "deduction", "notice"}},
		"points":         points,
		"basis":          str,
		"unit_types":     strList,
		"description":    str,
		"fields":         map[string]any{"type": "array", "minItems": 1, "items": field},
		"max_age":        days,
		"warn":           map[string]any{"type": "number", "minimum": 0, "exclusiveMaximum": 1},
		"period":         map[string]any{"enum": []string{"month", "quarter", "year"}},
		"cover":          map[string]any{"enum": []string{"whole", "touched"}},
		"working_days":   map[string]any{"type": "integer", "minimum": 1},
		"of":             id,
		"portal_points":  points,
		"external":       map[string]any{"type": "boolean"},
		"finding":        map[string]any{"enum": FindingKinds},
		"at_least":       map[string]any{"type": "integer", "minimum": 1},
		"score":          points,
		"due":            map[string]any{"type": "object", "required": []string{"default"}, "additionalProperties": monthDay},
		"in_window":      map[string]any{"type": "boolean"},
		"blank_cells":    map[string]any{"enum": []string{"veto", "deduction", "notice"}},
		"numbers":        map[string]any{"type": "array", "items": map[string]any{"enum": numberKinds}},
		"person_headers": strList,
		"list_words":     strList,
		"contact_labels": strList,
		"card_words":     strList,
		"id_words":       strList,
		"attachments":    map[string]any{"type": "boolean"},
		"grace":          days,
	}
	// Per kind: which parameters it takes, and which it needs.
	var rules []any
	kinds := CheckKinds()
	sort.Strings(kinds)
	for _, k := range kinds {
		kind := CheckKind(k)
		allowed := map[string]any{}
		for _, c := range commonKeys {
			allowed[c] = true
		}
		for _, p := range kindKeys[kind] {
			allowed[p] = true
		}
		var required []string
		if checkKinds[kind].needsColumn {
			required = append(required, "column")
		}
		switch kind {
		case KindFields, KindDocumentMetadata:
			required = append(required, "fields")
		case KindMaxAge:
			required = append(required, "max_age")
		case KindPeriodic:
			required = append(required, "period")
		case KindPublicationDelay:
			required = append(required, "working_days")
		case KindInterpretation:
			required = append(required, "working_days", "of")
		case KindCountVeto:
			required = append(required, "finding", "at_least")
		case KindReportMissing, KindReportLate:
			required = append(required, "due")
		}
		then := map[string]any{"propertyNames": map[string]any{"enum": sortedKeys(allowed)}}
		if len(required) > 0 {
			then["required"] = required
		}
		rules = append(rules, map[string]any{
			"if":   map[string]any{"properties": map[string]any{"kind": map[string]any{"const": k}}, "required": []string{"kind"}},
			"then": then,
		})
	}
	check := obj([]string{"id", "kind"}, checkProps)
	check["allOf"] = rules

	schema := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  "https://github.com/gongkai/gongkai/rules/schema.json",
		"title":                "gongkai rule file",
		"description":          "One file of a gongkai ruleset. A ruleset is a directory of such files; lists are joined across files, other settings given once. Check a ruleset with `gongkai rules check DIR`.",
		"type":                 "object",
		"additionalProperties": false,
		"properties": map[string]any{
			"name":    str,
			"version": map[string]any{"type": []string{"string", "number"}},
			"total":   map[string]any{"type": "number", "exclusiveMinimum": 0},
			"window":  obj(nil, map[string]any{"months": map[string]any{"type": "integer", "minimum": 1, "maximum": 120}}),
			"unit_types": map[string]any{"type": "array", "items": obj([]string{"id"}, map[string]any{
				"id": id, "name": str, "name_en": str})},
			"dimensions": map[string]any{"type": "array", "items": obj([]string{"id", "points"}, map[string]any{
				"id": id, "name": str, "name_en": str, "points": map[string]any{"type": "number", "exclusiveMinimum": 0}})},
			"indicators": map[string]any{"type": "array", "items": obj([]string{"id", "name", "dimension", "points"}, map[string]any{
				"id": id, "name": nonEmpty, "name_en": str, "dimension": id,
				"points": map[string]any{"type": "number", "exclusiveMinimum": 0}, "basis": str})},
			"columns": map[string]any{"type": "array", "items": obj([]string{"id", "name", "shape", "unit_types"}, map[string]any{
				"id": id, "name": nonEmpty, "name_en": str, "aliases": strList,
				"shape": map[string]any{"enum": []string{"page", "list"}}, "unit_types": map[string]any{"type": "array", "minItems": 1, "items": nonEmpty}})},
			"checks": map[string]any{"type": "array", "items": check},
			"grades": map[string]any{"type": "array", "items": obj([]string{"name", "min"}, map[string]any{
				"name": nonEmpty, "name_en": str, "min": points})},
			"calendar": obj(nil, map[string]any{
				"holidays": map[string]any{"type": "array", "items": date},
				"workdays": map[string]any{"type": "array", "items": date}}),
			"explained_empty": strList,
			"hubs":            strList,
			"outdated_names": map[string]any{"type": "array", "items": obj([]string{"name", "successor", "ceased"}, map[string]any{
				"name": nonEmpty, "aliases": strList, "successor": nonEmpty, "basis": str,
				"ceased": map[string]any{"type": "string", "pattern": `^\d{4}-\d{1,2}(-\d{1,2})?$`, "description": `a month such as "2018-03" (its last day) or a day such as "2018-03-17"`}})},
		},
	}
	b, err := json.MarshalIndent(schema, "", "  ")
	if err != nil {
		panic(err) // a map of plain values always marshals
	}
	return append(b, '\n')
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
