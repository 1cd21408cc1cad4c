package crawler

import (
	"net/url"
	"strings"
	"testing"
)

// TestScriptList says which pages build their list by script (so that an
// empty reading is "not read", never "empty") and which do not.
func TestScriptList(t *testing.T) {
	const jpageEmpty = `<div id="4001628"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&col=1&columnid=1628&unitid=4001628"></a>]]></nextgroup>
<recordset>
</recordset></datastore></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>$(document).ready(function(){ $('#4001628').jpage({ dataStore: dataStore, perPage: 20, totalRecord: 0, proxyUrl: '/module/web/jpage/dataproxy.jsp' }); });</script></div>`
	for _, tc := range []struct {
		name, body, want string // want: a part of the reason, "" for none
	}{
		{"static list", `<ul><li><a href="/a.html">通知</a></li></ul><script src="/js/jquery.min.js"></script>`, ""},
		{"jpage with its store, empty", jpageEmpty, ""},
		{"jpage loader without a store", `<div id="x"></div><script>$('#x').jpage({proxyUrl:'/module/web/jpage/dataproxy.jsp', totalRecord: 40});</script>`, "CMS list loader"},
		{"avalon template", `<ul><li ms-repeat="list"><a ms-attr-href="el.url">{{el.title}}</a></li></ul>`, "ms-repeat"},
		{"TRS pageChnlInfo", `<ul></ul><script>var pageChnlInfo = {quickMode:"动静结合", maxStaticIndex:5};</script>`, "pageChnlInfo"},
		{"inline XHR naming the empty list", `<ul id="gk-list"></ul><script>$.getJSON('/api/list', function(d){ $('#gk-list').html(d) })</script>`, "#gk-list"},
		{"list script beside an empty list", `<ul id="a"></ul><script src="/js/gklist.js"></script>`, "gklist.js"},
		{"library beside an empty list", `<ul id="a"></ul><script src="/js/jquery-1.8.min.js"></script>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse("http://www.example.gov.cn/col/col1/index.html")
			p, err := ParsePage(u, []byte("<html><body>"+tc.body+"</body></html>"), "text/html; charset=utf-8")
			if err != nil {
				t.Fatal(err)
			}
			got := p.ScriptList()
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("ScriptList() = %q, want %q", got, tc.want)
			}
		})
	}
}
