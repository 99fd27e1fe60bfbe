"""Windows time-zone ids: what a VM's auto-shutdown schedule (``Microsoft.DevTestLab/schedules``,
``properties.timeZoneId``) accepts, and the IANA names people type instead.

The schedule takes a Windows time-zone id (``W. Europe Standard Time``), the value ``tzutil /l`` lists
and Microsoft's "Default Time Zones" page documents (learn.microsoft.com windows-hardware/manufacture/
desktop/default-time-zones), not an IANA name (``Europe/Berlin``): azure-devtestlab#753 (the schedule
APIs take Windows ids) and azure-powershell#20467 (the accepted values listed for an auto-shutdown
schedule are Windows ids). The ids and the IANA names below are CLDR's Windows mapping
(unicode-org/cldr ``common/supplemental/windowsZones.xml``, ``otherVersion 7e11800``, tz ``2021a``):
per Windows id the IANA zone of territory ``001`` first, then the common IANA names of its other
territories; a few current IANA spellings CLDR keeps under their old names are added (marked).
"""

from __future__ import annotations

import difflib

SOURCE = ("unicode-org/cldr common/supplemental/windowsZones.xml (otherVersion 7e11800); Windows ids as "
          "learn.microsoft.com windows-hardware/manufacture/desktop/default-time-zones lists them")

# Windows id | UTC offset (standard time) | IANA names: CLDR's territory 001 first, then other territories;
# an indented line continues the names of the zone above
_TABLE = """
Dateline Standard Time | -12:00 | Etc/GMT+12
UTC-11 | -11:00 | Etc/GMT+11 Pacific/Pago_Pago Pacific/Niue Pacific/Midway
Aleutian Standard Time | -10:00 | America/Adak
Hawaiian Standard Time | -10:00 | Pacific/Honolulu Pacific/Rarotonga Pacific/Tahiti Etc/GMT+10
Marquesas Standard Time | -09:30 | Pacific/Marquesas
Alaskan Standard Time | -09:00 | America/Anchorage America/Juneau America/Nome America/Sitka America/Yakutat
UTC-09 | -09:00 | Etc/GMT+9 Pacific/Gambier
Pacific Standard Time (Mexico) | -08:00 | America/Tijuana
UTC-08 | -08:00 | Etc/GMT+8 Pacific/Pitcairn
Pacific Standard Time | -08:00 | America/Los_Angeles America/Vancouver
US Mountain Standard Time | -07:00 | America/Phoenix America/Creston America/Dawson_Creek America/Hermosillo Etc/GMT+7
Mountain Standard Time (Mexico) | -07:00 | America/Mazatlan
Mountain Standard Time | -07:00 | America/Denver America/Edmonton America/Boise America/Ciudad_Juarez
Yukon Standard Time | -07:00 | America/Whitehorse America/Dawson
Central America Standard Time | -06:00 | America/Guatemala America/Belize America/Costa_Rica Pacific/Galapagos
    America/Tegucigalpa America/Managua America/El_Salvador Etc/GMT+6
Central Standard Time | -06:00 | America/Chicago America/Winnipeg America/Matamoros America/Indiana/Knox
    America/Menominee
Easter Island Standard Time | -06:00 | Pacific/Easter
Central Standard Time (Mexico) | -06:00 | America/Mexico_City America/Bahia_Banderas America/Merida America/Monterrey
    America/Chihuahua
Canada Central Standard Time | -06:00 | America/Regina America/Swift_Current
SA Pacific Standard Time | -05:00 | America/Bogota America/Rio_Branco America/Coral_Harbour America/Guayaquil
    America/Jamaica America/Cayman America/Panama America/Lima Etc/GMT+5
Eastern Standard Time (Mexico) | -05:00 | America/Cancun
Eastern Standard Time | -05:00 | America/New_York America/Nassau America/Toronto America/Iqaluit America/Detroit
    America/Louisville
Haiti Standard Time | -05:00 | America/Port-au-Prince
Cuba Standard Time | -05:00 | America/Havana
US Eastern Standard Time | -05:00 | America/Indianapolis America/Indiana/Indianapolis* America/Indiana/Marengo
    America/Indiana/Vevay
Turks And Caicos Standard Time | -05:00 | America/Grand_Turk
Paraguay Standard Time | -04:00 | America/Asuncion
Atlantic Standard Time | -04:00 | America/Halifax Atlantic/Bermuda America/Glace_Bay America/Goose_Bay America/Moncton
    America/Thule
Venezuela Standard Time | -04:00 | America/Caracas
Central Brazilian Standard Time | -04:00 | America/Cuiaba America/Campo_Grande
SA Western Standard Time | -04:00 | America/La_Paz America/Antigua America/Barbados America/Manaus
    America/Santo_Domingo America/Guyana America/Puerto_Rico America/Port_of_Spain Etc/GMT+4
Pacific SA Standard Time | -04:00 | America/Santiago
Newfoundland Standard Time | -03:30 | America/St_Johns
Tocantins Standard Time | -03:00 | America/Araguaina
E. South America Standard Time | -03:00 | America/Sao_Paulo
SA Eastern Standard Time | -03:00 | America/Cayenne America/Fortaleza America/Belem America/Recife Atlantic/Stanley
    America/Paramaribo Etc/GMT+3
Argentina Standard Time | -03:00 | America/Buenos_Aires America/Argentina/Buenos_Aires* America/Cordoba
    America/Mendoza
Greenland Standard Time | -03:00 | America/Godthab America/Nuuk*
Montevideo Standard Time | -03:00 | America/Montevideo
Magallanes Standard Time | -03:00 | America/Punta_Arenas
Saint Pierre Standard Time | -03:00 | America/Miquelon
Bahia Standard Time | -03:00 | America/Bahia
UTC-02 | -02:00 | Etc/GMT+2 America/Noronha Atlantic/South_Georgia
Azores Standard Time | -01:00 | Atlantic/Azores America/Scoresbysund
Cape Verde Standard Time | -01:00 | Atlantic/Cape_Verde Etc/GMT+1
UTC | +00:00 | Etc/UTC Etc/GMT UTC* GMT* Etc/Universal* Etc/Zulu*
GMT Standard Time | +00:00 | Europe/London Atlantic/Canary Atlantic/Faeroe Europe/Guernsey Europe/Dublin
    Europe/Isle_of_Man Europe/Jersey Europe/Lisbon Atlantic/Madeira
Greenwich Standard Time | +00:00 | Atlantic/Reykjavik Africa/Abidjan Africa/Accra Africa/Bamako Africa/Dakar
    Africa/Monrovia
Sao Tome Standard Time | +00:00 | Africa/Sao_Tome
Morocco Standard Time | +01:00 | Africa/Casablanca Africa/El_Aaiun
W. Europe Standard Time | +01:00 | Europe/Berlin Europe/Andorra Europe/Vienna Europe/Zurich Europe/Busingen
    Europe/Gibraltar Europe/Rome Europe/Vaduz Europe/Luxembourg Europe/Monaco Europe/Malta Europe/Amsterdam
    Europe/Oslo Europe/Stockholm Arctic/Longyearbyen Europe/San_Marino Europe/Vatican
Central Europe Standard Time | +01:00 | Europe/Budapest Europe/Tirane Europe/Prague Europe/Podgorica Europe/Belgrade
    Europe/Ljubljana Europe/Bratislava
Romance Standard Time | +01:00 | Europe/Paris Europe/Brussels Europe/Copenhagen Europe/Madrid Africa/Ceuta
Central European Standard Time | +01:00 | Europe/Warsaw Europe/Sarajevo Europe/Zagreb Europe/Skopje
W. Central Africa Standard Time | +01:00 | Africa/Lagos Africa/Luanda Africa/Kinshasa Africa/Algiers Africa/Tunis
    Etc/GMT-1
Jordan Standard Time | +02:00 | Asia/Amman
GTB Standard Time | +02:00 | Europe/Bucharest Asia/Nicosia Asia/Famagusta Europe/Athens
Middle East Standard Time | +02:00 | Asia/Beirut
Egypt Standard Time | +02:00 | Africa/Cairo
E. Europe Standard Time | +02:00 | Europe/Chisinau
Syria Standard Time | +02:00 | Asia/Damascus
West Bank Standard Time | +02:00 | Asia/Hebron Asia/Gaza
South Africa Standard Time | +02:00 | Africa/Johannesburg Africa/Gaborone Africa/Maputo Africa/Lusaka Africa/Harare
    Etc/GMT-2
FLE Standard Time | +02:00 | Europe/Kiev Europe/Kyiv* Europe/Mariehamn Europe/Sofia Europe/Tallinn Europe/Helsinki
    Europe/Vilnius Europe/Riga
Israel Standard Time | +02:00 | Asia/Jerusalem
South Sudan Standard Time | +02:00 | Africa/Juba
Kaliningrad Standard Time | +02:00 | Europe/Kaliningrad
Sudan Standard Time | +02:00 | Africa/Khartoum
Libya Standard Time | +02:00 | Africa/Tripoli
Namibia Standard Time | +02:00 | Africa/Windhoek
Arabic Standard Time | +03:00 | Asia/Baghdad
Turkey Standard Time | +03:00 | Europe/Istanbul
Arab Standard Time | +03:00 | Asia/Riyadh Asia/Bahrain Asia/Kuwait Asia/Qatar Asia/Aden
Belarus Standard Time | +03:00 | Europe/Minsk
Russian Standard Time | +03:00 | Europe/Moscow Europe/Kirov Europe/Simferopol
E. Africa Standard Time | +03:00 | Africa/Nairobi Africa/Djibouti Africa/Addis_Ababa Africa/Mogadishu
    Africa/Dar_es_Salaam Africa/Kampala Indian/Antananarivo Etc/GMT-3
Iran Standard Time | +03:30 | Asia/Tehran
Arabian Standard Time | +04:00 | Asia/Dubai Asia/Muscat Etc/GMT-4
Astrakhan Standard Time | +04:00 | Europe/Astrakhan Europe/Ulyanovsk
Azerbaijan Standard Time | +04:00 | Asia/Baku
Russia Time Zone 3 | +04:00 | Europe/Samara
Mauritius Standard Time | +04:00 | Indian/Mauritius Indian/Reunion Indian/Mahe
Saratov Standard Time | +04:00 | Europe/Saratov
Georgian Standard Time | +04:00 | Asia/Tbilisi
Volgograd Standard Time | +04:00 | Europe/Volgograd
Caucasus Standard Time | +04:00 | Asia/Yerevan
Afghanistan Standard Time | +04:30 | Asia/Kabul
West Asia Standard Time | +05:00 | Asia/Tashkent Asia/Almaty Asia/Oral Asia/Aqtobe Indian/Maldives Asia/Dushanbe
    Asia/Ashgabat Asia/Samarkand Etc/GMT-5
Ekaterinburg Standard Time | +05:00 | Asia/Yekaterinburg
Pakistan Standard Time | +05:00 | Asia/Karachi
Qyzylorda Standard Time | +05:00 | Asia/Qyzylorda
India Standard Time | +05:30 | Asia/Calcutta Asia/Kolkata*
Sri Lanka Standard Time | +05:30 | Asia/Colombo
Nepal Standard Time | +05:45 | Asia/Katmandu Asia/Kathmandu*
Central Asia Standard Time | +06:00 | Asia/Bishkek Asia/Urumqi Indian/Chagos Etc/GMT-6
Bangladesh Standard Time | +06:00 | Asia/Dhaka Asia/Thimphu
Omsk Standard Time | +06:00 | Asia/Omsk
Myanmar Standard Time | +06:30 | Asia/Rangoon Asia/Yangon* Indian/Cocos
SE Asia Standard Time | +07:00 | Asia/Bangkok Indian/Christmas Asia/Jakarta Asia/Pontianak Asia/Phnom_Penh
    Asia/Vientiane Asia/Saigon Asia/Ho_Chi_Minh* Etc/GMT-7
Altai Standard Time | +07:00 | Asia/Barnaul
W. Mongolia Standard Time | +07:00 | Asia/Hovd
North Asia Standard Time | +07:00 | Asia/Krasnoyarsk Asia/Novokuznetsk
N. Central Asia Standard Time | +07:00 | Asia/Novosibirsk
Tomsk Standard Time | +07:00 | Asia/Tomsk
China Standard Time | +08:00 | Asia/Shanghai Asia/Hong_Kong Asia/Macau
North Asia East Standard Time | +08:00 | Asia/Irkutsk
Singapore Standard Time | +08:00 | Asia/Singapore Asia/Brunei Asia/Makassar Asia/Kuala_Lumpur Asia/Kuching Asia/Manila
    Etc/GMT-8
W. Australia Standard Time | +08:00 | Australia/Perth
Taipei Standard Time | +08:00 | Asia/Taipei
Ulaanbaatar Standard Time | +08:00 | Asia/Ulaanbaatar Asia/Choibalsan
Aus Central W. Standard Time | +08:45 | Australia/Eucla
Transbaikal Standard Time | +09:00 | Asia/Chita
Tokyo Standard Time | +09:00 | Asia/Tokyo Asia/Jayapura Pacific/Palau Asia/Dili Etc/GMT-9
North Korea Standard Time | +09:00 | Asia/Pyongyang
Korea Standard Time | +09:00 | Asia/Seoul
Yakutsk Standard Time | +09:00 | Asia/Yakutsk Asia/Khandyga
Cen. Australia Standard Time | +09:30 | Australia/Adelaide Australia/Broken_Hill
AUS Central Standard Time | +09:30 | Australia/Darwin
E. Australia Standard Time | +10:00 | Australia/Brisbane Australia/Lindeman
AUS Eastern Standard Time | +10:00 | Australia/Sydney Australia/Melbourne Australia/Canberra*
West Pacific Standard Time | +10:00 | Pacific/Port_Moresby Pacific/Truk Pacific/Guam Pacific/Saipan Etc/GMT-10
Tasmania Standard Time | +10:00 | Australia/Hobart Antarctica/Macquarie
Vladivostok Standard Time | +10:00 | Asia/Vladivostok Asia/Ust-Nera
Lord Howe Standard Time | +10:30 | Australia/Lord_Howe
Bougainville Standard Time | +11:00 | Pacific/Bougainville
Russia Time Zone 10 | +11:00 | Asia/Srednekolymsk
Magadan Standard Time | +11:00 | Asia/Magadan
Norfolk Standard Time | +11:00 | Pacific/Norfolk
Sakhalin Standard Time | +11:00 | Asia/Sakhalin
Central Pacific Standard Time | +11:00 | Pacific/Guadalcanal Pacific/Ponape Pacific/Kosrae Pacific/Noumea
    Pacific/Efate Etc/GMT-11
Russia Time Zone 11 | +12:00 | Asia/Kamchatka Asia/Anadyr
New Zealand Standard Time | +12:00 | Pacific/Auckland Antarctica/McMurdo
UTC+12 | +12:00 | Etc/GMT-12 Pacific/Tarawa Pacific/Majuro Pacific/Kwajalein Pacific/Nauru Pacific/Funafuti
    Pacific/Wake
Fiji Standard Time | +12:00 | Pacific/Fiji
Chatham Islands Standard Time | +12:45 | Pacific/Chatham
UTC+13 | +13:00 | Etc/GMT-13 Pacific/Enderbury Pacific/Fakaofo
Tonga Standard Time | +13:00 | Pacific/Tongatapu
Samoa Standard Time | +13:00 | Pacific/Apia
Line Islands Standard Time | +14:00 | Pacific/Kiritimati Etc/GMT-14
"""
# A name ending in * is not in CLDR's file: the current IANA spelling of a zone CLDR keeps under its old
# name (Asia/Kolkata for Asia/Calcutta), or a plain alias of UTC; it maps like the name beside it.


def _parse() -> tuple[dict[str, str], dict[str, str]]:
    offsets: dict[str, str] = {}
    iana: dict[str, str] = {}
    zone = ""
    for line in _TABLE.strip().splitlines():
        if line.startswith(" "):  # a continuation: more IANA names of the zone above
            names = line
        else:
            zone, offset, names = (part.strip() for part in line.split("|"))
            offsets[zone] = offset
        for name in names.split():
            iana.setdefault(name.rstrip("*"), zone)
    return offsets, iana


WINDOWS_ZONES, IANA_TO_WINDOWS = _parse()  # Windows id -> UTC offset; IANA name -> Windows id
_BY_LOWER = {z.lower(): z for z in WINDOWS_ZONES}
_IANA_BY_LOWER = {k.lower(): v for k, v in IANA_TO_WINDOWS.items()}


def windows_zone(name: str) -> str | None:
    """The Windows id ``name`` spells (case-insensitively, as Windows compares them), or None."""
    return _BY_LOWER.get(name.strip().lower())


def suggestion(name: str) -> tuple[str, str] | None:
    """For a value that is not a Windows id: (Windows id, why). An IANA name maps through CLDR; anything
    else gets the closest Windows id by spelling, if one is close enough."""
    iana = _IANA_BY_LOWER.get(name.strip().lower())
    if iana:
        return iana, f"the Windows id for the IANA zone {name.strip()}"
    close = difflib.get_close_matches(name.strip().lower(), list(_BY_LOWER), n=1, cutoff=0.6)
    if close:
        zone = _BY_LOWER[close[0]]
        return zone, f"the closest Windows id by spelling, UTC{WINDOWS_ZONES[zone]}"
    return None
