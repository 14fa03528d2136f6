"""A valid POST of every panel of the configure screen, to vary in tests."""


def valid_panels(**overrides) -> dict:
    data = {
        "oauth-name": "Exact Online",
        "oauth-site": "nl",
        "general-division": "7095",
        "general-country": "NL",
        "debtor-debtor_number_option_1": "DebtorNumber",
        "debtor-debtor_number_option_2": "",
        "debtor-debtor_number_option_3": "",
        "debtor-extern_source": "",
        "debtor-debtor_prefix": "",
        "financial-booking_date_option_1": "invoice_date",
        "financial-booking_date_option_2": "",
        "financial-journal": "70",
        "financial-debtor_gl_account": "1300",
        "financial-export_moment": "realtime",
        "financial-nightly_time": "",
        "financial-nightly_repetition": "",
        "financial-invoice_number_prefix": "",
        "financial-project_code_source": "",
        "payment-payment_interval_minutes": "15",
        "payment-payment_from_date": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
