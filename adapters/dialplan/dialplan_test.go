package dialplan

import (
	"errors"
	"testing"

	"github.com/callboard/callboard/adapters"
)

func rules(t *testing.T) Rules {
	t.Helper()
	r := Rules{Endpoints: `^1[0-9]{3}$`, Numbers: `^\+?[0-9]{3,15}$`,
		EndpointTemplate: "user/{endpoint}", NumberTemplate: "sofia/gateway/gw/{number}", Context: "default"}
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResolve(t *testing.T) {
	r := rules(t)
	if got, err := r.Endpoint("from", "1001"); err != nil || got.DialString != "user/1001" || got.IsNumber {
		t.Fatalf("endpoint: %+v %v", got, err)
	}
	if got, err := r.Destination("to", "1002"); err != nil || got.DialString != "user/1002" {
		t.Fatalf("destination endpoint: %+v %v", got, err)
	}
	if got, err := r.Destination("to", "+821012345678"); err != nil || got.DialString != "sofia/gateway/gw/+821012345678" || !got.IsNumber {
		t.Fatalf("destination number: %+v %v", got, err)
	}
	for _, bad := range []string{"", "1000 &hupall", "1000\n", "{x}", "1'0", "1,0", "10", "abc", "１００１",
		"+12", "1234567890123456", "sofia/gateway/gw/1"} {
		if _, err := r.Destination("to", bad); !errors.Is(err, adapters.ErrInvalid) {
			t.Errorf("Destination(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	var none Rules
	if err := none.Compile(); err != nil {
		t.Fatal(err)
	}
	if _, err := none.Destination("to", "1001"); !errors.Is(err, adapters.ErrInvalid) {
		t.Errorf("empty rules allowed %v", err)
	}
}

func TestCompileRefuses(t *testing.T) {
	for name, r := range map[string]Rules{
		"unanchored":           {Endpoints: `1[0-9]{3}`, EndpointTemplate: "user/{endpoint}"},
		"bad regexp":           {Endpoints: `^(1$`, EndpointTemplate: "user/{endpoint}"},
		"no endpoint template": {Endpoints: `^1[0-9]{3}$`},
		"no placeholder":       {Endpoints: `^1$`, EndpointTemplate: "user/1000"},
		"space in template":    {Endpoints: `^1$`, EndpointTemplate: "user/{endpoint} &hupall"},
		"comma in template":    {Numbers: `^1$`, NumberTemplate: "{number},x"},
		"bad context":          {Context: "a b"},
	} {
		if err := r.Compile(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCallerIDName(t *testing.T) {
	for _, ok := range []string{"", "Agent One", "홍길동 상담원", `Dan "the man"`, "O.K."} {
		if err := CallerIDName(ok, "'{}[],"); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"a\nb", "a\rb", "a\tb", " lead", "trail ", "a'b", "{x}", "a,b", "a\u200bb", string(make([]rune, 65))} {
		if err := CallerIDName(bad, "'{}[],"); !errors.Is(err, adapters.ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", bad, err)
		}
	}
	if err := CallerIDNumber("+8210"); err != nil {
		t.Error(err)
	}
	if err := CallerIDNumber("10 20"); !errors.Is(err, adapters.ErrInvalid) {
		t.Error("caller id number with a space accepted")
	}
}
