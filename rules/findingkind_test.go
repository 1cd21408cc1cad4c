package rules

import "testing"

// TestFindingKinds: the table names every kind once, in both languages,
// and every check's kind is in it.
func TestFindingKinds(t *testing.T) {
	if len(FindingKinds) != 19 {
		t.Errorf("%d finding kinds, want 19", len(FindingKinds))
	}
	seen := map[FindingKind]bool{}
	zh, en := map[string]bool{}, map[string]bool{}
	for _, k := range FindingKinds {
		if seen[k] {
			t.Errorf("%s listed twice", k)
		}
		seen[k] = true
		if k.Chinese() == string(k) || k.English() == string(k) {
			t.Errorf("%s has no name", k)
		}
		if zh[k.Chinese()] || en[k.English()] {
			t.Errorf("%s shares a name with another kind", k)
		}
		zh[k.Chinese()], en[k.English()] = true, true
	}
	for _, ck := range CheckKinds() {
		c := Check{Kind: CheckKind(ck)}
		if fk := c.FindingKind(); fk != "" && !fk.Known() {
			t.Errorf("check kind %s produces %q, not a finding kind", ck, fk)
		}
	}
	if k := FindingKind("new.kind"); k.Known() || k.Chinese() != "new.kind" || k.English() != "new.kind" {
		t.Errorf("unknown kind named %q, %q", k.Chinese(), k.English())
	}
}
