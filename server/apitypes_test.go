package server

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"gongkai/report"
	"gongkai/store"
)

// fill sets every exported field reachable from v to a value that is not
// zero, so a field the API types forget shows in their JSON.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n%11 + 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n%11 + 1))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 1, 2, 3, 4, *n, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	}
}

func sameJSON(t *testing.T, what string, direct, api any) {
	t.Helper()
	a, err := json.Marshal(direct)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(api)
	if err != nil {
		t.Fatal(err)
	}
	var x, y any
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(b, &y)
	if !reflect.DeepEqual(x, y) {
		t.Errorf("%s: the API's JSON differs from the stored record's:\nrecord %s\napi    %s", what, a, b)
	}
}

// TestAPITypes: the API's own types answer every field of the store's
// records under the same names, so moving them off the store's types
// changed nothing a client sees; a field added to a record must be added
// to the API type too (or left out on purpose here).
func TestAPITypes(t *testing.T) {
	n := 0
	var fe report.FindingEvidence
	fill(reflect.ValueOf(&fe).Elem(), &n)
	sameJSON(t, "finding", &fe, findingJSON(&fe))

	var h []store.HistoryPoint
	fill(reflect.ValueOf(&h).Elem(), &n)
	sameJSON(t, "history", h, historyJSON(h))

	var u UnitView
	fill(reflect.ValueOf(&u).Elem(), &n)
	sameJSON(t, "unit", &u, unitJSON(&u))
}
