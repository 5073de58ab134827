//! A certificate subject as Kafka names the principal of a TLS client: the RFC 2253 string Java's
//! `X500Principal.getName()` gives (docs/facts/kafka.md §11) — RDNs last-first, joined by `,` without spaces,
//! multi-valued RDNs joined by `+`, RFC 2253's keywords (CN, C, L, ST, O, OU, STREET, DC, UID) and other attribute
//! types as a dotted OID with the value's DER in hex (`1.2.840.113549.1.9.1=#16…`). With the default
//! `ssl.principal.mapping.rules` this is the `User:` name `super.users` must hold for a node's certificate.
//!
//! Owns: that string, from a parsed certificate name.

use x509_parser::der_parser::asn1_rs::ToDer;
use x509_parser::x509::X509Name;

/// RFC 2253's keywords, by OID; Java prints every other attribute type as its dotted OID.
const KEYWORDS: [(&str, &str); 9] = [
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.9", "STREET"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("0.9.2342.19200300.100.1.1", "UID"),
];

/// `name` in RFC 2253 form, as `X500Principal.getName()` prints it.
pub fn rfc2253(name: &X509Name) -> String {
    let rdns: Vec<String> = name
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let oid = atv.attr_type().to_id_string();
                    match (KEYWORDS.iter().find(|(o, _)| *o == oid), atv.as_str()) {
                        (Some((_, keyword)), Ok(value)) => format!("{keyword}={}", escape(value)),
                        _ => {
                            let der = atv.attr_value().to_der_vec().unwrap_or_default();
                            let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
                            format!("{oid}=#{hex}")
                        }
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

/// RFC 2253 §2.4: `,` `+` `"` `\` `<` `>` `;` escaped, and a leading `#` or space and a trailing space.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal_of(subject: &[(rcgen::DnType, &str)]) -> String {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        for (t, v) in subject {
            params.distinguished_name.push(t.clone(), *v);
        }
        let key = rcgen::KeyPair::generate().unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
        rfc2253(cert.subject())
    }

    #[test]
    fn a_subject_is_written_last_rdn_first_without_spaces_as_java_names_the_principal() {
        use rcgen::DnType::*;
        let p = principal_of(&[(CountryName, "KR"), (OrganizationName, "Example Corp"), (CommonName, "h1")]);
        assert_eq!(p, "CN=h1,O=Example Corp,C=KR");
    }

    #[test]
    fn commas_plus_signs_and_edge_spaces_in_a_value_are_escaped() {
        use rcgen::DnType::*;
        let p = principal_of(&[(OrganizationName, "Acme, Inc+Co "), (CommonName, "#h1")]);
        assert_eq!(p, "CN=\\#h1,O=Acme\\, Inc\\+Co\\ ");
    }

    #[test]
    fn an_attribute_without_an_rfc_2253_keyword_is_its_oid_and_the_value_in_hex() {
        let p = principal_of(&[
            (rcgen::DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]), "a@b"),
            (rcgen::DnType::CommonName, "h1"),
        ]);
        // UTF8String (0x0c) of length 3, "a@b".
        assert_eq!(p, "CN=h1,1.2.840.113549.1.9.1=#0c03614062");
    }
}
