package sim

import (
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/evidence"
	"gongkai/internal/textnorm"
)

// TestVariants_Default checks that every markup variant occurs in the
// default district, and that each unit records the variants it uses.
func TestVariants_Default(t *testing.T) {
	all := AllVariants()
	if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Fatalf("AllVariants is not sorted and unique: %v", all)
	}
	d := defaultDistrict(t)
	users := map[string][]string{}
	for _, u := range d.Units {
		if u.Role == RoleUnreachable {
			if len(u.Variants) > 0 {
				t.Errorf("unreachable unit %s records variants %v", u.ID, u.Variants)
			}
			continue
		}
		if len(u.Variants) == 0 || !slices.IsSorted(u.Variants) {
			t.Errorf("unit %s: variants %v, want a sorted non-empty list", u.ID, u.Variants)
		}
		enc := 0
		for _, v := range u.Variants {
			if !slices.Contains(all, v) {
				t.Errorf("unit %s: unknown variant %q", u.ID, v)
			}
			if strings.HasPrefix(v, "enc-") {
				enc++
			}
			users[v] = append(users[v], u.ID)
		}
		if enc != 1 {
			t.Errorf("unit %s: %d encoding variants in %v, want one", u.ID, enc, u.Variants)
		}
	}
	var table strings.Builder
	for _, v := range all {
		fmt.Fprintf(&table, "%-22s %2d %s\n", v, len(users[v]), strings.Join(users[v], " "))
		if len(users[v]) == 0 {
			t.Errorf("variant %s occurs on no unit of the default district", v)
		}
	}
	t.Logf("variant → units:\n%s", table.String())
}

var (
	reDots      = regexp.MustCompile(`\d{4}\.\d{2}\.\d{2}`)
	reYearless  = regexp.MustCompile(`>\(?\d{2}-\d{2}\)?<`)
	reFullWidth = regexp.MustCompile(`２０[０-９]{2}(年|－)`)
	reYearHead  = regexp.MustCompile(`<h3 class="year-tit">\d{4}年</h3>|<div class="year">\d{4}</div>`)
)

// firstList returns the first page of the unit's list column with the most
// items, and that column.
func firstList(u *Unit) (string, *Column) {
	var best *Column
	for _, c := range u.Columns {
		if c.State == ColumnPresent && c.IsList() && !c.Override && (best == nil || len(c.Items) > len(best.Items)) {
			best = c
		}
	}
	if best == nil {
		return "", nil
	}
	return u.html(best.PagePaths[0]), best
}

// TestVariants_Markup checks that a unit tagged with a variant shows it.
func TestVariants_Markup(t *testing.T) {
	d := defaultDistrict(t)
	for _, u := range d.Units {
		if u.Role == RoleUnreachable {
			continue
		}
		list, col := firstList(u)
		dir := u.html(u.HubPath)
		if u.InnerHubPath != "" {
			dir = u.html(u.InnerHubPath)
		}
		for _, v := range u.Variants {
			ok := true
			switch v {
			case VarDiscoverHubDepth2:
				ok = u.InnerHubPath != ""
				for _, c := range u.Columns {
					if c.Path == "" {
						continue
					}
					for _, key := range []string{"/", u.HubPath} {
						if slices.Contains(u.pageLinks(key), c.Path) {
							t.Errorf("unit %s: %s links column %s before the inner hub", u.ID, key, c.ID)
						}
					}
					if !c.Override && !c.ImageLink && !slices.Contains(u.pageLinks(u.InnerHubPath), c.Path) {
						t.Errorf("unit %s: the inner hub does not link column %s", u.ID, c.ID)
					}
				}
			case VarDiscoverDecorated:
				hub := hubText(u, u.HubLabel)
				ok = strings.Contains(dir, "【") && strings.Contains(hub, "　") && strings.Contains(u.html("/"), ">"+hub+"<")
			case VarDiscoverTitleAttr:
				ok = false
				for _, a := range anchors(dir + u.html("/")) {
					c := u.Column(u.f.titleAttr)
					if a.title == c.Label && textnorm.Name(a.text) != textnorm.Name(c.Label) && !strings.Contains(textnorm.Name(a.text), textnorm.Name(c.Spec.Name)) {
						ok = true
					}
				}
			case VarDiscoverOverride:
				ok = false
				for _, c := range u.Columns {
					if c.Override {
						ok = c.Path != "" && u.Get(c.Path).Status == 200 // checkUnit: no other page links it
					}
				}
			case VarListDateFirst:
				ok = strings.Contains(list, `<li><span class="time">`)
			case VarListDateInLink:
				ok = strings.Contains(list, `</span><span class="date">`)
			case VarListFlatRun:
				ok = strings.Count(list, `<br/>`) >= len(listPage(col, 0)) && !strings.Contains(list, `class="item"`)
			case VarListDL:
				ok = strings.Count(list, `<dl><dt><a `) == len(listPage(col, 0))
			case VarListMultiUL:
				ok = len(listPage(col, 0)) <= 5 || strings.Contains(list, `</ul>`+"\n"+`<div class="line"></div>`)
			case VarListSidebarWidget:
				ok = strings.Contains(list, "最新动态")
			case VarBaseHref:
				ok = strings.Contains(list, `<base href="`) && !strings.Contains(list, `href="`+listPage(col, 0)[0].Path+`"`)
			case VarDateDots:
				ok = reDots.MatchString(list)
			case VarDateLabel:
				ok = strings.Contains(list, "发布日期：")
			case VarDateFullWidth:
				ok = reFullWidth.MatchString(list)
			case VarDateYearless:
				ok = reYearless.MatchString(list) && reYearHead.MatchString(list)
			case VarPageTRSScript6:
				ok = strings.Contains(u.html(pagedColumn(u).Path), `createPageHTML('page_div', `)
			case VarPageXiaye:
				ok = strings.Contains(u.html(pagedColumn(u).Path), `">下页</a>`)
			case VarPageEn:
				ok = strings.Contains(u.html(pagedColumn(u).Path), `">Next`)
			case VarPageGt:
				p := u.html(pagedColumn(u).Path)
				ok = strings.Contains(p, `">&gt;</a>`) || strings.Contains(p, `">»</a>`)
			}
			if !ok {
				t.Errorf("unit %s: tagged %s but its pages do not show it", u.ID, v)
			}
		}
	}
}

// pagedColumn returns a list column of the unit with more than one page.
func pagedColumn(u *Unit) *Column {
	for _, c := range u.Columns {
		if c.State == ColumnPresent && len(c.PagePaths) > 1 {
			return c
		}
	}
	return &Column{}
}

// TestGenerate_SmallFleet checks that a fleet smaller than the roster
// keeps its first units and still computes its truth.
func TestGenerate_SmallFleet(t *testing.T) {
	d, err := Generate(Config{AsOf: evidence.MustParseDate(DefaultAsOf), Units: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Units) != 12 || d.Units[0].ID != "huairou" || d.Units[11].ID != Roster()[11].ID {
		t.Errorf("got %d units starting %s", len(d.Units), d.Units[0].ID)
	}
	if len(d.Truth(hostless)) == 0 {
		t.Error("no truth")
	}
}

var idRE = regexp.MustCompile(`^[a-z0-9-]+$`)

// TestBenchFleet generates the benchmark fleet (200 units, about 50,000
// URLs), checks it and serves a sample of it.
func TestBenchFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("bench fleet skipped in -short mode")
	}
	t.Parallel()
	units, scale, lo, hi := 200, 2.0, 45000, 58000
	if raceEnabled {
		// The race detector slows generation tenfold; a smaller fleet runs
		// the same parallel code.
		units, scale, lo, hi = 60, 1, 8000, 12000
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	d, err := Generate(Config{AsOf: evidence.MustParseDate(DefaultAsOf), Units: units, Scale: scale})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	start = time.Now()
	pages := d.PageCount()
	counted := time.Since(start)
	truth := d.Truth(hostless)
	t.Logf("bench fleet: %d units, PageCount %d, generated in %v (PageCount in %v), heap %d MB, %d truth findings",
		len(d.Units), pages, took.Round(time.Millisecond), counted.Round(time.Millisecond), heap>>20, len(truth))
	if len(d.Units) != units {
		t.Fatalf("%d units, want %d", len(d.Units), units)
	}
	if pages < lo || pages > hi {
		t.Errorf("PageCount %d, want %d to %d", pages, lo, hi)
	}
	if took > 20*time.Second || heap > 500<<20 {
		t.Errorf("generation took %v and %d MB", took, heap>>20)
	}
	ids, names := map[string]bool{}, map[string]bool{}
	types := map[string]int{}
	for _, u := range d.Units {
		if ids[u.ID] || names[u.Name] || !idRE.MatchString(u.ID) {
			t.Errorf("unit %s (%s): id or name repeated or malformed", u.ID, u.Name)
		}
		ids[u.ID], names[u.Name] = true, true
		types[u.Type]++
	}
	for _, ty := range []string{"district", "bureau", "township", "street"} {
		if types[ty] < units/50 {
			t.Errorf("%d units of type %s: %v", types[ty], ty, types)
		}
	}
	kinds := map[string]int{}
	for _, f := range truth {
		kinds[string(f.Kind)]++
	}
	for _, k := range findingKinds {
		if kinds[k] == 0 {
			t.Errorf("no %s in the bench fleet's truth", k)
		}
	}
	seen := map[string]bool{}
	for _, u := range d.Units {
		for _, v := range u.Variants {
			seen[v] = true
		}
	}
	for _, v := range AllVariants() {
		if !seen[v] {
			t.Errorf("variant %s occurs on no unit of the bench fleet", v)
		}
	}

	f, err := d.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	served := 0
	for i, u := range d.Units {
		if i%7 != 0 || u.Role == RoleUnreachable {
			continue
		}
		paths := u.ReachablePaths()
		for j := 0; j < len(paths); j += len(paths)/6 + 1 {
			p := paths[j]
			if st, _ := linkStatus(u, p); st != 200 {
				continue
			}
			resp, err := client.Get(strings.TrimSuffix(f.URL(u.ID), "/") + p)
			if err != nil {
				t.Errorf("unit %s %s: %v", u.ID, p, err)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("unit %s %s: %d", u.ID, p, resp.StatusCode)
			}
			served++
		}
	}
	t.Logf("served %d sampled pages", served)
}
