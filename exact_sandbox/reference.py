"""Exact Online's REST reference for the endpoints the sandbox serves, as data.

Every answer, every ``$select``/``$expand``/``$filter``/``$orderby`` check and every POST/PUT body
check is generated from these tables; the conformance tests read them too.

Sources (Exact's ``HlpRestAPIResourcesDetails.aspx?name=...`` pages, as kept by public clients):

- the generated models of Exact's own .NET client, ``exactonline/exactonline-api-dotnet-client``,
  ``src/ExactOnline.Client.Models/``: ``CRM/Account.cs``, ``SalesEntry/SalesEntry.cs``,
  ``SalesEntry/SalesEntryLine.cs``, ``Financial/GLAccount.cs``, ``Financial/Journal.cs``,
  ``VAT/VATCode.cs``, ``HRM/Costcenter.cs``, ``HRM/Division.cs``, ``Project/Project.cs``,
  ``Documents/Documents.cs``, ``Documents/DocumentAttachment.cs``, ``Cashflow/Receivable.cs``,
  ``Financial/ReceivablesList.cs`` and ``FinancialTransaction/TransactionLine.cs``: field names,
  Edm types, keys, ``[SDKFieldType(FieldType.ReadOnly)]`` (read-only here) and collections
  (navigation properties here);
- ``picqer/exact-php-client``, ``src/Picqer/Financials/Exact/``: ``ReceivablesList.php`` (HID is
  the key; no ``Modified``), ``Deleted.php`` (``sync/Deleted``: what the sync endpoints' records
  became deleted, by EntityType), ``BulkTransactionLine.php`` (``bulk/Financial/TransactionLines``
  has the fields of ``TransactionLines``), the ``Bulk*.php`` classes for which entities have a
  bulk endpoint, and issue #591 for the mandatory filtering of ``crm/Accounts`` with Exact's
  whole message and field list; issue #500 ("Filtering on these fields is not supported") and
  PR #468 ("This $filter parameter is not supported for this resource") for bulk filters;
- ``DannyvdSluijs/ExactOnlineRestApiReference`` ``meta-data.json`` (a scrape of the reference
  pages: per property its Edm type and whether POST/PUT take it) for ``crm/Accounts``;
- Exact's knowledge-base pages "OData | Query string options" (``$select`` with ``Nav/Field``
  after ``$expand``, ``$skip`` not supported on endpoints released after 1 March 2017,
  ``$count`` and ``$inlinecount``, ``$orderby``) and "Integrate efficiently with OData" (every
  service is a WCF Data Service, OData 2.0).

Mandatory marks (``req``) are those the reference pages show with an exclamation mark for POST;
the sandbox's business rules (``bookkeeping.py``) word the refusals as Exact does.

Line format: ``Name Type flags``; flags: ``key`` (primary key), ``ro`` (read-only: refused in a
POST/PUT body), ``req`` (mandatory in a POST), ``nav=Entity`` (a navigation collection: deferred
unless ``$expand``-ed).
"""

from dataclasses import dataclass, field

TYPE_PREFIX = "Exact.Web.Api.Models."


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    key: bool = False
    read_only: bool = False
    mandatory: bool = False
    nav: str = ""


@dataclass
class Entity:
    name: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def type_name(self) -> str:
        return TYPE_PREFIX + self.name

    @property
    def key(self) -> str:
        return next(f.name for f in self.fields.values() if f.key)

    @property
    def properties(self) -> list[str]:
        return [f.name for f in self.fields.values() if not f.nav]

    @property
    def navigations(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.nav]

    @property
    def writable(self) -> set[str]:
        return {f.name for f in self.fields.values() if not f.read_only}


_TYPES = {
    "guid": "Edm.Guid",
    "str": "Edm.String",
    "int16": "Edm.Int16",
    "int32": "Edm.Int32",
    "int64": "Edm.Int64",
    "byte": "Edm.Byte",
    "bool": "Edm.Boolean",
    "double": "Edm.Double",
    "datetime": "Edm.DateTime",
    "binary": "Edm.Binary",
    "nav": "Collection",
}


def _entity(name: str, table: str) -> Entity:
    entity = Entity(name)
    for line in table.strip().splitlines():
        parts = line.split()
        field_name, kind, flags = parts[0], parts[1], parts[2:]
        nav = next((flag.split("=", 1)[1] for flag in flags if flag.startswith("nav=")), "")
        entity.fields[field_name] = Field(
            name=field_name,
            type=_TYPES[kind],
            key="key" in flags,
            read_only="ro" in flags or ("key" in flags and kind != "guid"),
            mandatory="req" in flags,
            nav=nav,
        )
    return entity


ACCOUNT = _entity(
    "Account",
    """
ID guid key
Accountant guid
AccountManager guid
AccountManagerFullName str ro
AccountManagerHID int32 ro
ActivitySector guid
ActivitySubSector guid
AddressLine1 str
AddressLine2 str
AddressLine3 str
BankAccounts nav nav=BankAccount
Blocked bool
BRIN guid ro
BusinessType guid
CanDropShip bool
ChamberOfCommerce str
City str
Classification str ro
Classification1 guid
Classification2 guid
Classification3 guid
Classification4 guid
Classification5 guid
Classification6 guid
Classification7 guid
Classification8 guid
ClassificationDescription str ro
Code str
CodeAtSupplier str
CompanySize guid
ConsolidationScenario byte
ControlledDate datetime
Costcenter str ro
CostcenterDescription str ro
CostPaid byte ro
Country str
CountryName str ro
Created datetime ro
Creator guid ro
CreatorFullName str ro
CreditLinePurchase double
CreditLineSales double
Currency str ro
CustomerSince datetime ro
DatevCreditorCode str
DatevDebtorCode str
DiscountPurchase double
DiscountSales double
Division int32 ro
Document guid ro
DunsNumber str ro
Email str
EndDate datetime
EstablishedDate datetime
Fax str
GLAccountPurchase guid
GLAccountSales guid
GLAP guid
GLAR guid
GlnNumber str
HasWithholdingTaxSales bool
IgnoreDatevWarningMessage bool
IntraStatArea str
IntraStatDeliveryTerm str
IntraStatSystem str
IntraStatTransactionA str
IntraStatTransactionB str
IntraStatTransportMethod str
InvoiceAccount guid
InvoiceAccountCode str ro
InvoiceAccountName str ro
InvoiceAttachmentType int32
InvoicingMethod int32
IsAccountant byte
IsAgency byte
IsAnonymised byte ro
IsBank bool ro
IsCompetitor byte
IsExtraDuty bool
IsMailing byte
IsMember bool ro
IsPilot bool
IsPurchase bool ro
IsReseller bool
IsSales bool ro
IsSupplier bool
Language str
LanguageDescription str ro
Latitude double
LeadPurpose guid
LeadSource guid
Logo binary
LogoFileName str
LogoThumbnailUrl str ro
LogoUrl str ro
Longitude double
MainContact guid
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
Name str req
OINNumber str
Parent guid
PayAsYouEarn str
PaymentConditionPurchase str
PaymentConditionPurchaseDescription str ro
PaymentConditionSales str
PaymentConditionSalesDescription str ro
Phone str
PhoneExtension str
Postcode str
PriceList guid
PurchaseCurrency str
PurchaseCurrencyDescription str ro
PurchaseLeadDays int32
PurchaseVATCode str
PurchaseVATCodeDescription str ro
RecepientOfCommissions bool
Remarks str
Reseller guid
ResellerCode str ro
ResellerName str ro
RSIN str
SalesCurrency str
SalesCurrencyDescription str ro
SalesTaxSchedule guid
SalesTaxScheduleCode str ro
SalesTaxScheduleDescription str ro
SalesVATCode str
SalesVATCodeDescription str ro
SearchCode str
SecurityLevel int32
SeparateInvPerProject byte
SeparateInvPerSubscription byte
ShippingLeadDays int32
ShippingMethod guid
StartDate datetime
State str
StateName str ro
Status str
StatusSince datetime ro
TradeName str
Type str ro
UniqueTaxpayerReference str
VATLiability str
VATNumber str
Website str
""",
)

# crm/Accounts refuses a GET without a $filter on one of these (picqer/exact-php-client #591).
ACCOUNT_FILTER_FIELDS = [
    "Accountant",
    "AccountManager",
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "Blocked",
    "BRIN",
    "BSN",
    "ChamberOfCommerce",
    "City",
    "Classification1",
    "Classification2",
    "Classification3",
    "Classification4",
    "Classification5",
    "Classification6",
    "Classification7",
    "Classification8",
    "Classification",
    "Code",
    "CodeAtSupplier",
    "Country",
    "Created",
    "Email",
    "EndDate",
    "Fax",
    "ID",
    "InvoiceAccount",
    "IsAccountant",
    "IsReseller",
    "IsSales",
    "IsSupplier",
    "MainContact",
    "Modified",
    "Name",
    "Parent",
    "Phone",
    "Postcode",
    "PriceList",
    "Reseller",
    "RSIN",
    "SearchCode",
    "StartDate",
    "Status",
    "Type",
    "VATNumber",
]

SALES_ENTRY = _entity(
    "SalesEntry",
    """
EntryID guid key
AmountDC double ro
AmountFC double ro
BatchNumber int32
Created datetime ro
Creator guid ro
CreatorFullName str ro
Currency str
Customer guid req
CustomerName str ro
Description str
Division int32 ro
Document guid
DocumentNumber int32 ro
DocumentSubject str ro
DueDate datetime
EntryDate datetime
EntryNumber int32
ExternalLinkDescription str ro
ExternalLinkReference str
GAccountAmountFC double
InvoiceNumber int32
IsExtraDuty bool
Journal str req
JournalDescription str ro
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
OrderNumber int32
PaymentCondition str
PaymentConditionDescription str ro
PaymentReference str
ProcessNumber int32
Rate double
ReportingPeriod int16
ReportingYear int16
Reversal bool
SalesEntryLines nav nav=SalesEntryLine req
Status int16 ro
StatusDescription str ro
Type int32
TypeDescription str ro
VATAmountDC double ro
VATAmountFC double
WithholdingTaxAmountDC double
WithholdingTaxBaseAmount double
WithholdingTaxPercentage double
YourRef str
""",
)
# The .NET model marks SalesEntry.Type read-only, but the reference page takes it in a POST
# (20 sales entry, 21 credit note) and picqer's SalesEntry lists it in $fillable: writable here.

SALES_ENTRY_LINE = _entity(
    "SalesEntryLine",
    """
ID guid key
AmountDC double ro
AmountFC double req
Asset guid
AssetDescription str ro
CostCenter str
CostCenterDescription str ro
CostUnit str
CostUnitDescription str ro
Description str
Division int32 ro
EntryID guid
ExtraDutyAmountFC double
ExtraDutyPercentage double
From datetime
GLAccount guid req
GLAccountCode str ro
GLAccountDescription str ro
IntraStatArea str
IntraStatCountry str
IntraStatDeliveryTerm str
IntraStatTransactionA str
IntraStatTransportMethod str
LineNumber int32 ro
Notes str
Project guid
ProjectDescription str ro
Quantity double
SerialNumber str
StatisticalNetWeight double
StatisticalNumber str
StatisticalQuantity double
StatisticalValue double
Subscription guid
SubscriptionDescription str ro
TaxSchedule guid
To datetime
TrackingNumber guid
TrackingNumberDescription str ro
Type int32 ro
VATAmountDC double ro
VATAmountFC double
VATBaseAmountDC double
VATBaseAmountFC double
VATCode str
VATCodeDescription str ro
VATPercentage double
""",
)

GL_ACCOUNT = _entity(
    "GLAccount",
    """
ID guid key
AssimilatedVATBox int16
BalanceSide str
BalanceType str
BelcotaxType int32
Code str req
Compress bool
Costcenter str
CostcenterDescription str ro
Costunit str
CostunitDescription str ro
Created datetime ro
Creator guid ro
CreatorFullName str ro
Description str req
Division int32 ro
ExcludeVATListing byte
ExpenseNonDeductiblePercentage double
IsBlocked bool
Matching bool
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
PrivateGLAccount guid
PrivatePercentage double
ReportingCode str
RevalueCurrency bool
SearchCode str
Type int32
TypeDescription str ro
UseCostcenter byte
UseCostunit byte
VATCode str
VATDescription str ro
VATGLAccountType str
VATNonDeductibleGLAccount guid
VATNonDeductiblePercentage double
VATSystem str
YearEndCostGLAccount guid
YearEndReflectionGLAccount guid
""",
)

JOURNAL = _entity(
    "Journal",
    """
ID guid key
AllowVariableCurrency bool
AllowVariableExchangeRate bool
AllowVAT bool
AutoSave bool
Bank guid
BankAccountBICCode str ro
BankAccountCountry str ro
BankAccountDescription str ro
BankAccountIBAN str ro
BankAccountID guid
BankAccountIncludingMask str
BankAccountUseSEPA bool ro
BankAccountUseSepaDirectDebit bool ro
BankName str ro
Code str req
Created datetime ro
Creator guid ro
CreatorFullName str ro
Currency str
CurrencyDescription str ro
Description str req
Division int32 ro
GLAccount guid
GLAccountCode str ro
GLAccountDescription str ro
GLAccountType int32 ro
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
PaymentInTransitAccount guid
PaymentServiceAccountIdentifier str
PaymentServiceProvider int32
PaymentServiceProviderName str ro
Type int32 req
""",
)

VAT_CODE = _entity(
    "VATCode",
    """
ID guid key
Account guid
AccountCode str ro
AccountName str ro
CalculationBasis byte
Charged bool
Code str req
Country str ro
Created datetime ro
Creator guid ro
CreatorFullName str ro
Description str req
Division int32 ro
EUSalesListing str
GLDiscountPurchase guid
GLDiscountPurchaseCode str ro
GLDiscountPurchaseDescription str ro
GLDiscountSales guid
GLDiscountSalesCode str ro
GLDiscountSalesDescription str ro
GLToClaim guid
GLToClaimCode str ro
GLToClaimDescription str ro
GLToPay guid
GLToPayCode str ro
GLToPayDescription str ro
IntraStat bool
IntrastatType str
IsBlocked bool
LegalText str
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
Percentage double ro
TaxReturnType int16
Type str
VatDocType str
VatMargin byte
VATPartialRatio int16
VATPercentages nav nav=VatPercentage
VATTransactionType str
""",
)

COSTCENTER = _entity(
    "Costcenter",
    """
ID guid key
Active bool
Code str req
Created datetime ro
Creator guid ro
CreatorFullName str ro
Description str req
Division int32 ro
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
""",
)

PROJECT = _entity(
    "Project",
    """
ID guid key
Account guid
AccountCode str ro
AccountContact guid
AccountName str ro
AllowAdditionalInvoicing bool
BlockEntry bool
BlockRebilling bool
BudgetedAmount double
BudgetedCosts double
BudgetedHoursPerHourType nav nav=ProjectHourBudget
BudgetedRevenue double
BudgetOverrunHours byte
BudgetType int16
BudgetTypeDescription str ro
Classification guid
ClassificationDescription str ro
Code str req
CostsAmountFC double ro
Created datetime ro
Creator guid ro
CreatorFullName str ro
CustomerPOnumber str
Description str req
Division int32 ro
DivisionName str ro
EndDate datetime
FixedPriceItem guid
FixedPriceItemDescription str ro
InternalNotes str
InvoiceAsQuoted bool ro
InvoiceTerms nav nav=InvoiceTerm
Manager guid
ManagerFullname str ro
MarkupPercentage double
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
Notes str
PrepaidItem guid
PrepaidItemDescription str ro
PrepaidType int16
PrepaidTypeDescription str ro
ProjectRestrictionEmployees nav nav=ProjectRestrictionEmployee
ProjectRestrictionItems nav nav=ProjectRestrictionItem
ProjectRestrictionRebillings nav nav=ProjectRestrictionRebilling
SalesTimeQuantity double
SourceQuotation guid ro
StartDate datetime
TimeQuantityToAlert double
Type int32 req
TypeDescription str ro
UseBillingMilestones bool
""",
)

DOCUMENT = _entity(
    "Document",
    """
ID guid key
Account guid
AccountCode str ro
AccountName str ro
AmountFC double
Body str
Category guid
CategoryDescription str
Contact guid
ContactFullName str ro
Created datetime ro
Creator guid ro
CreatorFullName str
Currency str
Division int32 ro
DocumentDate datetime
DocumentFolder guid
DocumentFolderCode str ro
DocumentFolderDescription str ro
DocumentViewUrl str ro
FinancialTransactionEntryID guid
HasEmptyBody bool ro
HID int32
Language str
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
Opportunity guid
Project guid
ProjectCode str ro
ProjectDescription str ro
SalesInvoiceNumber int32
SalesOrderNumber int32
SendMethod int32 ro
ShopOrderNumber int32
Subject str req
Type int32 req
TypeDescription str ro
""",
)

DOCUMENT_ATTACHMENT = _entity(
    "DocumentAttachment",
    """
ID guid key
Attachment binary req
Document guid req
FileName str req
FileSize double ro
Url str ro
""",
)

RECEIVABLE = _entity(
    "Receivable",
    """
ID guid key
Account guid
AccountBankAccountID guid
AccountBankAccountNumber str
AccountCode str
AccountContact guid
AccountContactName str
AccountName str
AmountDC double
AmountDiscountDC double
AmountDiscountFC double
AmountFC double
BankAccountID guid
BankAccountNumber str
CashflowTransactionBatchCode str
Created datetime
Creator guid ro
CreatorFullName str ro
Currency str
Description str
DirectDebitMandate guid
DirectDebitMandateDescription str
DirectDebitMandatePaymentType int16
DirectDebitMandateReference str
DirectDebitMandateType int16
DiscountDueDate datetime
Division int32 ro
Document guid
DocumentNumber int32
DocumentSubject str
DueDate datetime
EndDate datetime
EndPeriod int16
EndToEndID str
EndYear int16
EntryDate datetime
EntryID guid
EntryNumber int32
GLAccount guid
GLAccountCode str
GLAccountDescription str
InvoiceDate datetime
InvoiceNumber int32
IsBatchBooking byte
IsFullyPaid bool
Journal str
JournalDescription str
LastPaymentDate datetime
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
PaymentCondition str
PaymentConditionDescription str
PaymentDays int32
PaymentDaysDiscount int32
PaymentDiscountPercentage double
PaymentInformationID str
PaymentMethod str
PaymentReference str
RateFC double
ReceivableBatchNumber int32
ReceivableSelected datetime
ReceivableSelector guid
ReceivableSelectorFullName str
Source int32
Status int16
TransactionAmountDC double
TransactionAmountFC double
TransactionDueDate datetime
TransactionEntryID guid
TransactionID guid
TransactionIsReversal bool
TransactionReportingPeriod int16
TransactionReportingYear int16
TransactionStatus int16
TransactionType int32
YourRef str
""",
)

RECEIVABLES_LIST_ITEM = _entity(
    "ReceivablesListItem",
    """
HID int64 key
AccountCode str
AccountId guid
AccountName str
Amount double
AmountInTransit double
CurrencyCode str
Description str
DueDate datetime
EntryNumber int32
Id guid
InvoiceDate datetime
InvoiceNumber int32
JournalCode str
JournalDescription str
YourRef str
""",
)

TRANSACTION_LINE = _entity(
    "TransactionLine",
    """
ID guid key
Account guid
AccountCode str ro
AccountName str ro
AmountDC double
AmountFC double
AmountVATBaseFC double
AmountVATFC double
Asset guid
AssetCode str ro
AssetDescription str ro
CostCenter str
CostCenterDescription str ro
CostUnit str
CostUnitDescription str ro
Created datetime ro
Creator guid ro
CreatorFullName str ro
Currency str
Date datetime
Description str
Division int32 ro
Document guid
DocumentNumber int32 ro
DocumentSubject str ro
DueDate datetime
EntryID guid
EntryNumber int32 ro
ExchangeRate double
ExtraDutyAmountFC double ro
ExtraDutyPercentage double ro
FinancialPeriod int16
FinancialYear int16
GLAccount guid
GLAccountCode str ro
GLAccountDescription str ro
InvoiceNumber int32
Item guid
ItemCode str ro
ItemDescription str ro
JournalCode str ro
JournalDescription str ro
LineNumber int32 ro
LineType int16
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
Notes str
OffsetID guid
OrderNumber int32
PaymentDiscountAmount double
PaymentReference str
Project guid
ProjectCode str ro
ProjectDescription str ro
Quantity double
SerialNumber str
Status int16
Subscription guid
SubscriptionDescription str ro
TrackingNumber str
TrackingNumberDescription str
Type int32
VATCode str
VATCodeDescription str ro
VATPercentage double
VATType str
YourRef str
""",
)

DIVISION = _entity(
    "Division",
    """
Code int32 key
BlockingStatus int32
Class_01 nav nav=DivisionClass
Class_02 nav nav=DivisionClass
Class_03 nav nav=DivisionClass
Class_04 nav nav=DivisionClass
Class_05 nav nav=DivisionClass
Country str
CountryDescription str ro
Created datetime ro
Creator guid ro
CreatorFullName str ro
Currency str
CurrencyDescription str ro
Customer guid
CustomerCode str
CustomerName str
Description str
HID int64
Main bool
Modified datetime ro
Modifier guid ro
ModifierFullName str ro
SiretNumber str
StartDate datetime
Status int16
TaxOfficeNumber str
TaxReferenceNumber str
VATNumber str
Website str
""",
)


DELETED = _entity(
    "Deleted",
    """
Timestamp int64 key
Division int32 ro
EntityKey guid ro
EntityType int32 ro
ID guid ro
""",
)
# sync/Deleted's EntityType values (picqer's Deleted.php, from the reference page).
DELETED_TRANSACTION_LINES, DELETED_ACCOUNTS = 1, 2


def _with_timestamp(entity: Entity, name: str) -> Entity:
    """A sync/ endpoint's entity: the same fields plus Timestamp, the row version it pages by."""
    synced = Entity(name, dict(entity.fields))
    synced.fields["Timestamp"] = Field("Timestamp", "Edm.Int64", read_only=True)
    return synced


SYNC_ACCOUNT = _with_timestamp(ACCOUNT, "SyncAccount")
SYNC_RECEIVABLE = _with_timestamp(RECEIVABLE, "SyncReceivable")
SYNC_TRANSACTION_LINE = _with_timestamp(TRANSACTION_LINE, "SyncTransactionLine")

ENTITIES = {
    entity.name: entity
    for entity in (
        ACCOUNT,
        SALES_ENTRY,
        SALES_ENTRY_LINE,
        GL_ACCOUNT,
        JOURNAL,
        VAT_CODE,
        COSTCENTER,
        PROJECT,
        DOCUMENT,
        DOCUMENT_ATTACHMENT,
        RECEIVABLE,
        RECEIVABLES_LIST_ITEM,
        TRANSACTION_LINE,
        DIVISION,
        SYNC_ACCOUNT,
        SYNC_RECEIVABLE,
        SYNC_TRANSACTION_LINE,
        DELETED,
    )
}


@dataclass(frozen=True)
class Endpoint:
    """A served endpoint: its entity, its kind and the methods Exact takes on it.

    Kinds: ``regular`` (60 rows a page, ``$skip`` allowed), ``bulk`` (1,000 a page, ``$select``
    required, no ``$skip``), ``sync`` (1,000 a page in ``Timestamp`` order, ``$filter`` on
    ``Timestamp`` only, no ``$skip``), ``report`` (the ``read/`` lists, 1,000 a page).
    """

    path: str
    entity: Entity
    kind: str = "regular"
    methods: tuple[str, ...] = ("GET",)
    filter_fields: tuple[str, ...] = ()
    # sync endpoints: the only fields a $filter may use
    sync_filter_fields: tuple[str, ...] = ("Timestamp",)
    source: str = ""


_REF = "HlpRestAPIResourcesDetails.aspx?name="
ENDPOINTS = {
    endpoint.path: endpoint
    for endpoint in (
        Endpoint("system/Divisions", DIVISION, source=_REF + "SystemSystemDivisions"),
        Endpoint(
            "crm/Accounts",
            ACCOUNT,
            methods=("GET", "POST", "PUT", "DELETE"),
            filter_fields=tuple(ACCOUNT_FILTER_FIELDS),
            source=_REF + "CRMAccounts",
        ),
        Endpoint("bulk/CRM/Accounts", ACCOUNT, "bulk", source=_REF + "BulkCRMAccounts"),
        Endpoint("sync/CRM/Accounts", SYNC_ACCOUNT, "sync", source=_REF + "SyncCRMAccounts"),
        Endpoint(
            "salesentry/SalesEntries",
            SALES_ENTRY,
            methods=("GET", "POST", "PUT", "DELETE"),
            source=_REF + "SalesEntrySalesEntries",
        ),
        Endpoint(
            "salesentry/SalesEntryLines",
            SALES_ENTRY_LINE,
            source=_REF + "SalesEntrySalesEntryLines",
        ),
        Endpoint("financial/GLAccounts", GL_ACCOUNT, source=_REF + "FinancialGLAccounts"),
        Endpoint(
            "bulk/Financial/GLAccounts", GL_ACCOUNT, "bulk", source=_REF + "BulkFinancialGLAccounts"
        ),
        Endpoint("financial/Journals", JOURNAL, source=_REF + "FinancialJournals"),
        Endpoint("vat/VATCodes", VAT_CODE, source=_REF + "VATVATCodes"),
        Endpoint(
            "hrm/Costcenters",
            COSTCENTER,
            methods=("GET", "POST"),
            source=_REF + "HRMCostcenters",
        ),
        Endpoint(
            "project/Projects", PROJECT, methods=("GET", "POST"), source=_REF + "ProjectProjects"
        ),
        Endpoint(
            "documents/Documents",
            DOCUMENT,
            methods=("GET", "POST"),
            source=_REF + "DocumentsDocuments",
        ),
        Endpoint(
            "bulk/Documents/Documents", DOCUMENT, "bulk", source=_REF + "BulkDocumentsDocuments"
        ),
        Endpoint(
            "documents/DocumentAttachments",
            DOCUMENT_ATTACHMENT,
            methods=("GET", "POST"),
            source=_REF + "DocumentsDocumentAttachments",
        ),
        Endpoint(
            "bulk/Documents/DocumentAttachments",
            DOCUMENT_ATTACHMENT,
            "bulk",
            source=_REF + "BulkDocumentsDocumentAttachments",
        ),
        Endpoint("cashflow/Receivables", RECEIVABLE, source=_REF + "CashflowReceivables"),
        Endpoint(
            "bulk/Cashflow/Receivables", RECEIVABLE, "bulk", source=_REF + "BulkCashflowReceivables"
        ),
        Endpoint(
            "sync/Cashflow/Receivables",
            SYNC_RECEIVABLE,
            "sync",
            source=_REF + "SyncCashflowReceivables",
        ),
        Endpoint(
            "financialtransaction/TransactionLines",
            TRANSACTION_LINE,
            source=_REF + "FinancialTransactionTransactionLines",
        ),
        Endpoint(
            "bulk/Financial/TransactionLines",
            TRANSACTION_LINE,
            "bulk",
            source=_REF + "BulkFinancialTransactionLines",
        ),
        Endpoint(
            "sync/Financial/TransactionLines",
            SYNC_TRANSACTION_LINE,
            "sync",
            source=_REF + "SyncFinancialTransactionLines",
        ),
        Endpoint(
            "sync/Deleted",
            DELETED,
            "sync",
            sync_filter_fields=("Timestamp", "EntityType"),
            source=_REF + "SyncDeleted",
        ),
        Endpoint(
            "read/financial/ReceivablesList",
            RECEIVABLES_LIST_ITEM,
            "report",
            source=_REF + "ReadFinancialReceivablesList",
        ),
    )
}
