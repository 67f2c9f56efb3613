package irsalint.lib.oidc_test

import data.irsalint.lib.oidc

issuer := "oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9"

test_issuers_from_the_cluster_read_and_the_configuration if {
	oidc.issuers == {{"issuer": issuer, "name": "shop", "cluster": {"name": "shop", "issuer": issuer}}} with input as {
		"cluster": {"name": "shop", "oidcIssuer": lower(issuer)},
		"clusters": {"shop": {"name": "shop", "issuer": issuer}},
	}
	oidc.issuers == {{"issuer": issuer, "name": null, "cluster": null}} with input as {
		"cluster": {"name": null, "oidcIssuer": issuer},
		"clusters": {},
	}
}

test_eks_region if {
	oidc.eks_region(issuer) == "eu-west-1"
	oidc.eks_region("oidc.eks.cn-north-1.amazonaws.com.cn/id/AB") == "cn-north-1"
	not oidc.eks_region("token.actions.githubusercontent.com")
}

test_irsa_service_accounts_with_account_and_audience if {
	sas := {
		"shop/cart": {"key": "shop/cart", "name": "cart", "namespace": "shop", "declared": true, "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/cart"}},
		"shop/feed": {"key": "shop/feed", "name": "feed", "namespace": "shop", "declared": true, "annotations": {"eks.amazonaws.com/role-arn": "not-an-arn", "eks.amazonaws.com/audience": "feed"}},
		"shop/none": {"key": "shop/none", "name": "none", "namespace": "shop", "declared": true, "annotations": {"eks.amazonaws.com/role-arn": " "}},
		"shop/default": {"key": "shop/default", "name": "default", "namespace": "shop", "declared": false, "annotations": {}},
	}
	got := oidc.irsa with input as {"serviceAccounts": sas}
	{[e.sa.key, e.account, e.audience] | some e in got} == {["shop/cart", "111122223333", "sts.amazonaws.com"], ["shop/feed", null, "feed"]}
}
