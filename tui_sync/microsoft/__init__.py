"""Everything that talks to Microsoft 365: sign-in (auth), the Graph client (graph), its errors,
the CRM ⇄ Graph mapping and the Test checks."""
