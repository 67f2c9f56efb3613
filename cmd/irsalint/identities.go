package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/spf13/cobra"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/lint"
)

const identitiesUsage = `Usage: irsalint identities [flags] [PATH|-]...

Print every workload's effective AWS identity: for each container, which
credentials it really gets in SDK order (static keys, web identity (IRSA),
EKS Pod Identity, the node role through IMDS, none on Fargate), the role,
and a verdict: ok, unverified (the role is not in the scan), will-be-denied
(the role's trust does not admit the ServiceAccount, or the role does not
exist), will-fail, falls-back-to-node-role, static-keys-shadow-role,
static-keys, no-credentials, manual, unknown; partial for an object with a
pod template but no containers (a patch, not a workload). Give IAM inputs (a trust
policy, aws iam get-account-authorization-details output) and the cluster's
OIDC issuer for trust verdicts. The JSON form is documented in
docs/identities.md.

Exit code 0, or 2 when an input could not be analyzed.
`

// identityRow mirrors data.irsalint.lib.binding.identities.
type identityRow struct {
	Ref            string              `json:"ref"`
	Kind           string              `json:"kind"`
	Namespace      string              `json:"namespace"`
	Name           string              `json:"name"`
	ServiceAccount string              `json:"serviceAccount"`
	Mechanism      string              `json:"mechanism"`
	RoleARN        *string             `json:"roleArn"`
	Verdict        string              `json:"verdict"`
	Detail         string              `json:"detail"`
	Location       analyzer.Location   `json:"location"`
	Containers     []identityContainer `json:"containers"`
}

type identityContainer struct {
	Container string  `json:"container"`
	Type      string  `json:"type"`
	Mechanism string  `json:"mechanism"`
	RoleARN   *string `json:"roleArn,omitempty"`
	Verdict   string  `json:"verdict"`
	Detail    string  `json:"detail"`
}

func identitiesCommand(sys system) *cobra.Command {
	return newErrCommand("identities", identitiesUsage, sys, func(c *cobra.Command) runErrFunc {
		fs := c.Flags()
		var (
			in     inputFlags
			format string
			output string
		)
		fs.StringVarP(&format, "format", "f", "text", "output format: text, json or csv")
		fs.StringVarP(&output, "output", "o", "", "write to FILE instead of standard output")
		in.register(fs)
		return func(ctx context.Context, args []string) error {
			if format != "text" && format != "json" && format != "csv" {
				return usagef("unknown --format %q (want text, json or csv)", format)
			}
			opts, err := in.options(args, sys)
			if err != nil {
				return err
			}
			outPath := resolvePath(output, opts.WorkingDir)
			if err := notAnInput(outPath, output, args, opts.WorkingDir); err != nil {
				return err
			}
			linter := lint.New(opts)
			if err := linter.PrepareInput(); err != nil {
				return usage(err)
			}
			ctx, stop := linter.Guard(ctx)
			defer stop()
			eng, err := linter.Engine()
			if err != nil {
				return err
			}
			inv, diags := linter.Load(ctx)
			if err := notWrittenOverInput(outPath, output, inv); err != nil {
				return err
			}
			for _, d := range diags {
				fmt.Fprintln(sys.Stderr, d.String())
			}
			raw, err := eng.Value(ctx, "data.irsalint.lib.binding.identities", lint.Document(inv))
			if err != nil {
				return err
			}
			b, err := json.Marshal(raw)
			if err != nil {
				return err
			}
			var rows []identityRow
			if err := json.Unmarshal(b, &rows); err != nil {
				return fmt.Errorf("reading the identity table: %w", err)
			}
			for i := range rows {
				if src, ok := inv.Sources[rows[i].Ref]; ok {
					rows[i].Location = src.Locate(nil)
				}
			}
			out, err := openOutput(outPath, output, sys)
			if err != nil {
				return err
			}
			switch format {
			case "json":
				err = writeIdentitiesJSON(out, rows)
			case "csv":
				err = writeIdentitiesCSV(out, rows)
			default:
				err = writeIdentitiesText(out, rows)
			}
			return finish(err, out, diags)
		}
	})
}

func role(r *string) string {
	if r == nil {
		return "-"
	}
	return *r
}

func writeIdentitiesText(w io.Writer, rows []identityRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tWORKLOAD\tSERVICE ACCOUNT\tMECHANISM\tROLE\tVERDICT")
	for _, r := range rows {
		verdict := strings.ReplaceAll(r.Verdict, "-", " ")
		mechanism := r.Mechanism
		if r.Verdict == verdictPartial {
			// The table has no detail column, and "partial" alone would
			// not say that the row is no workload at all.
			verdict += ": " + r.Detail
			mechanism = "-"
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%s\t%s\t%s\n", r.Namespace, r.Kind, r.Name, r.ServiceAccount, mechanism, role(r.RoleARN), verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	counts := map[string]int{}
	var order []string
	workloads := 0
	for _, r := range rows {
		if r.Verdict == verdictPartial {
			continue
		}
		workloads++
		if counts[r.Verdict] == 0 {
			order = append(order, r.Verdict)
		}
		counts[r.Verdict]++
	}
	var parts []string
	for _, v := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[v], strings.ReplaceAll(v, "-", " ")))
	}
	summary := fmt.Sprintf("%d workloads", workloads)
	if len(parts) > 0 {
		summary += ": " + strings.Join(parts, ", ")
	}
	// Partial objects are counted apart: they are not workloads.
	if n := len(rows) - workloads; n > 0 {
		what := "workloads"
		if n == 1 {
			what = "a workload"
		}
		summary += fmt.Sprintf("; %d not %s (partial: no containers)", n, what)
	}
	_, err := fmt.Fprintf(w, "\n%s\n", summary)
	return err
}

// verdictPartial is the verdict of a row that is no workload: a pod
// template without containers (data.irsalint.lib.binding.worst_of).
const verdictPartial = "partial"

func writeIdentitiesJSON(w io.Writer, rows []identityRow) error {
	if rows == nil {
		rows = []identityRow{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Version    int           `json:"version"`
		Identities []identityRow `json:"identities"`
	}{1, rows})
}

func writeIdentitiesCSV(w io.Writer, rows []identityRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"namespace", "kind", "name", "service_account", "mechanism", "role_arn", "verdict", "detail", "file", "line"})
	for _, r := range rows {
		roleARN := ""
		if r.RoleARN != nil {
			roleARN = *r.RoleARN
		}
		_ = cw.Write([]string{r.Namespace, r.Kind, r.Name, r.ServiceAccount, r.Mechanism, roleARN, r.Verdict, r.Detail, r.Location.File, fmt.Sprint(r.Location.Line)})
	}
	cw.Flush()
	return cw.Error()
}
