// Package report renders gongkai's outputs (SPEC §8) from plain data: the
// problem list (问题清单) as JSON, CSV or Markdown, the ranking as JSON, CSV,
// Markdown or an aligned terminal table, and a summary of problems by kind.
//
// Each output has its own row type (Problem, RankingRow, KindCount) whose
// JSON form is part of gongkai's output contract; small helpers build rows
// from the store's and scoring's types. Writers take an io.Writer and
// Options (language, byte-order mark) and return errors; they never print
// elsewhere.
//
// The package renders only. It never crawls, never scores or ranks (ranks,
// grades and changes come from the rows it is given; the helpers only
// subtract the previous audit's figures), never opens the database, and
// never imports the crawler.
package report
