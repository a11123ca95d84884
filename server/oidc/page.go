package oidc

import (
	"html/template"
	"strings"

	"github.com/labstack/echo/v4"
)

type pageKind int

const (
	pageNoRole pageKind = iota
	pageExpired
	pageProviderError
	pageUnavailable
	pageBusy
	pageBadName
	pageLocalAccount
)

var pageText = map[pageKind]struct{ title, body string }{
	pageNoRole: {"No access to callboard",
		"You signed in at {{.}}, but your account is in none of the groups that give access to callboard. Ask an administrator to add you to a callboard group, then sign in again."},
	pageExpired: {"This sign-in has expired",
		"The sign-in link was already used, has expired, or was started in another browser. Start again from the sign-in page."},
	pageProviderError: {"Sign-in failed",
		"{{.}} did not confirm your sign-in. Try again; if it keeps failing, tell an administrator (the audit log has the reason)."},
	pageUnavailable: {"Sign-in is unavailable",
		"callboard cannot reach {{.}} right now. Try again in a minute."},
	pageBusy: {"Too many sign-ins", "Too many sign-ins are in progress. Try again in a minute."},
	pageBadName: {"No usable user name",
		"{{.}} did not send a user name callboard can use. Ask an administrator to check the single sign-on settings."},
	pageLocalAccount: {"Account exists locally",
		"A local callboard account has this name, so it cannot be signed in through {{.}}. Sign in with its password, or ask an administrator."},
}

// pageTmpl is a plain page: no script, no inline style (the CSP allows
// neither), a link back to the sign-in page.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · callboard</title></head>
<body><main><h1>{{.Title}}</h1><p>{{.Body}}</p><p><a href="/">Back to sign-in</a></p></main></body></html>
`))

// page answers with one of the refusal pages.
func page(c echo.Context, status int, k pageKind, provider string) error {
	t := pageText[k]
	body, err := template.New("b").Parse(t.body)
	if err != nil {
		return err
	}
	var sb strings.Builder
	if err := body.Execute(&sb, provider); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	return pageTmpl.Execute(c.Response(), struct {
		Title string
		Body  template.HTML
	}{t.title, template.HTML(sb.String())}) //nolint:gosec // the body template escaped the provider name
}
