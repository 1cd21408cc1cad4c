package rules

import "gongkai/internal/textnorm"

// NormalizeName prepares a column, field or link name for comparison (see
// textnorm.Name); the crawler applies the same folding to what it reads.
func NormalizeName(s string) string { return textnorm.Name(s) }
