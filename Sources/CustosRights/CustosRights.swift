// CustosRights: data-subject request domain (GDPR/PIPL).
