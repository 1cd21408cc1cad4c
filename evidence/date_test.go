package evidence

import (
	"encoding/json"
	"testing"
)

func TestDate(t *testing.T) {
	d := MustParseDate("2020-02-28")
	if got := d.AddDays(1).String(); got != "2020-02-29" {
		t.Errorf("AddDays = %s", got)
	}
	if got := d.DaysUntil(MustParseDate("2020-03-01")); got != 2 {
		t.Errorf("DaysUntil = %d", got)
	}
	if !d.Before(MustParseDate("2020-03-01")) || d.After(d) || d.Compare(d) != 0 {
		t.Errorf("comparisons wrong")
	}
	if NewDate(2019, 2, 29).Valid() || !NewDate(2020, 2, 29).Valid() {
		t.Errorf("Valid wrong for 29 Feb")
	}
	for _, bad := range []string{"2020/02/28", "2020-2-28x", "", "2020-13-01"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
}

func TestDate_JSON(t *testing.T) {
	type box struct{ D, Z Date }
	b, err := json.Marshal(box{D: MustParseDate("2019-05-12")})
	if err != nil || string(b) != `{"D":"2019-05-12","Z":""}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var back box
	if err := json.Unmarshal(b, &back); err != nil || back.D != MustParseDate("2019-05-12") || !back.Z.IsZero() {
		t.Errorf("unmarshal: %+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"12/05/2019"}`), &back); err == nil {
		t.Errorf("unmarshal of a malformed date succeeded")
	}
}

func TestLink_Broken(t *testing.T) {
	tests := []struct {
		l    Link
		want bool
	}{
		{Link{Checked: true, Fetch: &Fetch{Status: 404, Class: ClassStatus}}, true},
		{Link{Checked: true, Fetch: &Fetch{Class: ClassDown}}, true},
		{Link{Checked: true, Fetch: &Fetch{Status: 200, Class: ClassSoft404}}, true},
		{Link{Checked: true, Fetch: &Fetch{Status: 200, Class: ClassOK}}, false},
		{Link{Checked: true, Fetch: &Fetch{Class: ClassRobots}}, false},
		{Link{Checked: false}, false},
	}
	for i, tt := range tests {
		if got := tt.l.Broken(); got != tt.want {
			t.Errorf("%d: Broken = %v, want %v", i, got, tt.want)
		}
	}
}
