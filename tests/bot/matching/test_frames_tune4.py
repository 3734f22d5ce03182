"""Topic frames for the kinds of report the tune4 set showed were missed or misfiled, and the
traps beside them.

Every sentence here was written for these tests (none is copied from a corpus).
"""

from __future__ import annotations

import pytest

from bot.matching import Matcher
from tests.bot.matching.cases import topics

FOUND = [
    # something shot down in the air
    ("Над Полесьем зенитчики сбили разведывательный беспилотник.", "air"),
    ("Учора над возерам быў збіты невялікі самалёт.", "air"),
    ("Минулої ночі над областю збито повітряну ціль.", "air"),
    ("A helicopter was shot down over the river on Monday.", "air"),
    # leaving in officialese, concentrating, building up forces, an echelon with hardware
    ("Батальон убыл к месту постоянной дислокации.", "deployments"),
    ("Командаванне канцэнтруе войскі на поўначы краіны.", "deployments"),
    ("Росія концентрує війська біля північного кордону.", "deployments"),
    ("Аналитики фиксируют наращивание белорусских сил на юге.", "deployments"),
    ("Триває нарощування російських сил поблизу Мозиря.", "deployments"),
    ("Observers report Russia massing forces north of Kyiv.", "deployments"),
    ("Польшча ўзгадніла перакідванне яшчэ пяцісот вайскоўцаў на ўсход.", "deployments"),
    ("В город зашли бойцы частной военной компании.", "deployments"),
    ("A private military company has set up a camp near Asipovichy.", "deployments"),
    ("На станцию Лунинец прибыл очередной эшелон с техникой.", "equipment"),
    ("Ешелон з технікою вибув зі станції Гомель у напрямку кордону.", "deployments"),
    # raised by alarm, duty forces checked, designated areas, readiness participles
    ("Ночью по тревоге подняли танковый батальон под Борисовом.", "drills"),
    ("Камандзір узняў па трывозе мехбрыгаду пад Полацкам.", "drills"),
    ("Під Брестом підняли по тривозі мотострілецький полк.", "drills"),
    ("Сёння ідзе праверка дзяжурных сіл супрацьпаветранай абароны.", "drills"),
    ("Проверка дежурных сил ПВО продлится до пятницы.", "drills"),
    ("Подразделения совершат марш и выдвинутся в назначенные районы.", "drills"),
    ("Частини мають висунутися у визначені райони до ранку.", "drills"),
    ("Усе часці павінны высунуцца ў прызначаныя раёны за суткі.", "drills"),
    ("Несколько батальонов будут приведены в высшую степень боевой готовности.", "drills"),
    # reservists in Belarusian, the colloquial summons
    ("Вайсковаабавязаных з Лідскага раёна выклікалі ў ваенкамат.", "mobilization"),
    ("Хлопцам уручылі павесткі ў войска.", "mobilization"),
    # a missile-danger alert
    ("Ракетная опасность объявлена в трёх областях.", "missiles"),
    ("Ракетна небезпека у північних областях!", "missiles"),
]

TRAPS = [
    # knocking a man down, beating him, bringing a price down: nothing in the air
    ("Вечером на переходе водитель сбил пешехода.", "air"),
    ("Падчас затрымання ахоўнікі збілі мужчыну з ног.", "air"),
    ("Продавці збили ціну на кавуни вдвічі.", "air"),
    ("The shopper was knocked over and the price shot down overnight.", "air"),
    # focusing efforts, drawing in the police, an echelon of farm machinery
    ("Надо сосредоточить силы на учёбе и спорте.", "deployments"),
    ("Міліцыя сцягнула сілы да плошчы.", "deployments"),
    ("На станцию прибыл эшелон с сельскохозяйственной техникой для уборки урожая.", "equipment"),
    # firefighters raised by alarm, the agenda, the branch of missile troops and artillery
    ("Ночью пожарных подняли по тревоге из-за возгорания склада.", "drills"),
    ("Сёння на павестцы дня пытанне бюджэту горада.", "mobilization"),
    ("Праздник ракетных войск и артиллерии отметят концертом.", "equipment"),
    ("The day of missile troops and artillery is marked in November.", "equipment"),
    ("Ветеранам ракетних військ і артилерії вручили грамоти.", "equipment"),
]


@pytest.mark.parametrize(("text", "topic"), FOUND)
def test_reports_are_found(matcher: Matcher, text: str, topic: str) -> None:
    assert topic in topics(matcher, text)


@pytest.mark.parametrize(("text", "topic"), TRAPS)
def test_traps_stay_out(matcher: Matcher, text: str, topic: str) -> None:
    assert topic not in topics(matcher, text)
