#pragma once
void Log();
