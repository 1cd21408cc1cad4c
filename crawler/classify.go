package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"gongkai/evidence"
)

// Classification of fetch outcomes (docs/spec.md#fetch-classes). A failed fetch is never lumped
// together: down, error status, blocked by an anti-bot challenge, under
// maintenance, soft 404. Blocked pages are recorded as blocked and never
// circumvented.

var (
	// challengeMarkers appear in anti-bot challenge pages (JS cookie
	// challenges, WAF interstitials, slider captchas).
	challengeMarkers = []string{
		"__jsl_clearance", "document.cookie=", "document.cookie =", "_waf_", "waf.", "安全验证",
		"访问验证", "滑动验证", "人机验证", "请开启javascript", "please enable javascript",
		"cf-browser-verification", "challenge-platform", "访问被拦截", "您的访问被阻断", "疑似攻击",
		"web应用防火墙", "网站防火墙",
	}
	maintenanceMarkers = []string{"升级改版", "改版升级", "系统维护", "网站维护", "正在维护", "维护中", "暂停访问", "网站改版", "under maintenance"}
	soft404Markers     = []string{"页面不存在", "您访问的页面不存在", "页面未找到", "找不到页面", "找不到您要", "404 not found", "page not found", "信息已删除", "文章不存在", "该页面不存在", "无法找到该页"}
)

// classify decides the class of a response from its status, error and
// (decoded) text. text may be empty for HEAD requests.
func classify(status int, err error, text string) evidence.FetchClass {
	var re *redirectError
	if errors.As(err, &re) {
		return evidence.ClassStatus
	}
	if err != nil && status == 0 {
		switch {
		case errors.Is(err, errRobots):
			return evidence.ClassRobots
		case errors.Is(err, errRefused):
			return evidence.ClassRefused
		case certProblem(err) != "":
			return evidence.ClassCertificate
		}
		return evidence.ClassDown
	}
	low := strings.ToLower(text)
	short := len(text) < 6000
	if isChallenge(status, low, short) {
		return evidence.ClassBlocked
	}
	if (status == 503 || status == 200) && short && containsAny(low, maintenanceMarkers) {
		return evidence.ClassMaintenance
	}
	if status >= 400 {
		return evidence.ClassStatus
	}
	if status >= 200 && status < 300 && short && containsAny(low, soft404Markers) {
		return evidence.ClassSoft404
	}
	if status >= 200 && status < 400 {
		return evidence.ClassOK
	}
	return evidence.ClassStatus
}

// isChallenge recognises an anti-bot challenge: a 521/520 answer carrying a
// script (the cookie challenge of Chinese CDN firewalls), or a short page
// with challenge markers under 200, 202, 403, 412 or 429.
func isChallenge(status int, low string, short bool) bool {
	switch status {
	case 520, 521:
		return strings.Contains(low, "<script") || containsAny(low, challengeMarkers)
	case 200, 202, 403, 412, 429:
		return short && containsAny(low, challengeMarkers)
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, m := range subs {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// certProblem says why err, a request's error, is a failed TLS handshake:
// the certificate refused, or no secure connection agreed; "" when err is
// something else (a TLS handshake timeout is the server not answering).
func certProblem(err error) evidence.CertProblem {
	if err == nil {
		return ""
	}
	var (
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknown):
		return evidence.CertUnknownAuthority
	case errors.As(err, &hostname):
		return evidence.CertWrongHost
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return evidence.CertExpired
		}
		return evidence.CertInvalid
	case errors.As(err, &verify):
		return evidence.CertInvalid
	case errors.As(err, &record):
		// Not TLS at all on the other side (plain HTTP on the https port).
		return evidence.CertHandshake
	}
	msg := err.Error()
	if strings.Contains(msg, "server gave HTTP response to HTTPS client") {
		// net/http's word for a RecordHeaderError: plain HTTP on the
		// https port.
		return evidence.CertHandshake
	}
	if strings.Contains(msg, "tls: ") && !strings.Contains(msg, "timeout") {
		// A handshake alert ("remote error: tls: handshake failure"), no
		// shared cipher suite or protocol version (servers offering only
		// SM2 国密 suites), a certificate Go cannot parse.
		return evidence.CertHandshake
	}
	return ""
}

// transient reports whether a failure may pass on retry: 5xx (not 501),
// 429, timeouts and reset connections.
func transient(status int, err error) bool {
	switch status {
	case 429, 500, 502, 503, 504:
		return true
	}
	if err == nil || status >= 300 {
		return false
	}
	if errors.Is(err, errRobots) || errors.Is(err, errRefused) || errors.Is(err, context.Canceled) || certProblem(err) != "" {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		msg := ue.Err.Error()
		return strings.Contains(msg, "connection reset") || strings.Contains(msg, "EOF") || strings.Contains(msg, "timeout")
	}
	msg := err.Error()
	return strings.Contains(msg, "connection reset") || strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "timeout")
}

// errorText shortens an error for evidence: no Go type noise, the URL once.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + ue.URL + ": " + ue.Err.Error()
	}
	return err.Error()
}
