package crawler

import "gongkai/crawler/politeness"

// Settings are a crawl's politeness and limits (politeness.Settings): the
// part of Options a units file, the audit flags and a distributed job
// carry.
type Settings = politeness.Settings
